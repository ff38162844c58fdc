// Constants that Electron Forge's Vite plugin (and vite.main.config.ts, outside Forge) define
// at build time for the main process. Read them only behind a typeof check: in tests and
// type-checks they do not exist.
declare const MAIN_WINDOW_VITE_DEV_SERVER_URL: string | undefined;
declare const MAIN_WINDOW_VITE_NAME: string | undefined;

// A hash router: the page's address is #/route, so reloads and links work the same served
// from app://gpow/, a static server or Vite. Moving to a route puts focus on its heading, so
// keyboard and screen-reader users start at the top of the new screen.
import { useEffect, useState, type ReactNode } from 'react';

function currentPath(): string {
  return window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
}

export function useHashPath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = (): void => setPath(currentPath());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return path;
}

export function navigate(path: string): void {
  window.location.hash = `#/${path}`;
}

/** The address now, to compare after a slow step (see navigateUnlessMoved). */
export const currentHash = (): string => window.location.hash;

/**
 * Moves to `path` unless the address changed since `from`: after a slow step (creating or
 * joining a network), a user who went elsewhere meanwhile is not pulled back.
 */
export function navigateUnlessMoved(from: string, path: string): void {
  if (window.location.hash === from) navigate(path);
}

export function Link({
  to,
  current,
  children,
  className,
}: {
  to: string;
  current?: boolean;
  children: ReactNode;
  className?: string;
}) {
  return (
    <a href={`#/${to}`} aria-current={current ? 'page' : undefined} className={className}>
      {children}
    </a>
  );
}

function currentQuery(): URLSearchParams {
  return new URLSearchParams(window.location.hash.split('?')[1] ?? '');
}

/** The query part of the address (#/route?a=b), kept current as it changes. */
export function useHashQuery(): URLSearchParams {
  const [query, setQuery] = useState(currentQuery);
  useEffect(() => {
    const update = (): void => setQuery(currentQuery());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return query;
}

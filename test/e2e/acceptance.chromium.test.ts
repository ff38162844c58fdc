// The peer acceptance suite (test/acceptance/suite.ts) on the browser platform: the engine as
// the app runs it, in headless Chromium.
import { peerAcceptance } from '../acceptance/suite.ts';
import { chromiumPlatform } from '../acceptance/platforms.ts';

peerAcceptance('Chromium', chromiumPlatform);

// The peer acceptance suite (test/acceptance/suite.ts) on the Node platform: the CLI's peer.
import { peerAcceptance } from '../acceptance/suite.ts';
import { nodePlatform } from '../acceptance/platforms.ts';

peerAcceptance('Node', nodePlatform);

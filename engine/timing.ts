// Every timing default of the engine, in one place, each with its reason. Before the engine the
// CLI and the app had their own copies, and they had drifted (a witness voted 50 ms after a
// change in one and 1,000 ms in the other).

/**
 * A witness votes this long after the first change it has not voted on, and one vote covers
 * everything that arrived meanwhile. Every vote is a transaction every peer keeps forever, so
 * this bounds a witness to one vote a second however busy the network is (the flood issue asks
 * what bounds witnesses). A payment turns final about a second after it is sent, and in between
 * its recipient sees it pending: fast enough for people paying people. The CLI once used 50 ms,
 * so the bench measured a finality the app never had.
 */
export const VOTE_DELAY_MS = 1_000;

/**
 * How often a witness looks for service deadlines that passed with no transaction arriving
 * (they need a vote that dates them). Deadlines are whole seconds apart, so a second is enough.
 */
export const TICK_CHECK_MS = 1_000;

/** How often connections are looked at (stalled attempts, isolation). */
export const WATCHDOG_INTERVAL_MS = 2_000;

/**
 * y-webrtc never gives up on a connection attempt that stalls (an offer lost to glare, ICE that
 * never completes under load) and its entry blocks any new attempt with that peer; we give up
 * after this long, which makes it announce and try again.
 */
export const STALLED_CONNECTION_MS = 10_000;

/**
 * A peer with relays but no connection for this long builds a new room instance (a fresh peer
 * id): others may still hold our old id's dying connection and ignore its announcements. The
 * wait doubles each time up to ISOLATION_REBUILD_MAX_MS, so a peer that is truly alone does
 * not churn.
 */
export const ISOLATION_REBUILD_MS = 20_000;
export const ISOLATION_REBUILD_MAX_MS = 5 * 60_000;

/** How long an action waits for a first sync under way to tell us our own chain's head. */
export const OWN_HEAD_WAIT_MS = 15_000;

/**
 * How long an action of a peer that has just joined waits for its network's genesis before it
 * answers with a sentence instead of hanging.
 */
export const GENESIS_WAIT_MS = 20_000;

/** The UI is told of changes at most this often: a large sync changes the ledger 10⁵ times. */
export const CHANGE_INTERVAL_MS = 100;

/** The room's connection cap, passed to y-webrtc (our patch enforces it on offers too). */
export const MAX_CONNECTIONS = 32;

/** How often a peer checks its devices: its own certificate, and top-ups it owes (§12). */
export const DEVICE_CHECK_MS = 2_000;

/**
 * How often a status re-checks why payments are pending (it walks the ledger): often enough to
 * say within seconds that witnesses are missing, rarely enough to cost nothing on a large ledger.
 */
export const FINALITY_CHECK_MS = 5_000;

/** How often a peer looks for a new join secret sealed to it, or a removal to rotate after. */
export const ROOM_CHECK_MS = 1_000;

/**
 * After a removal takes effect, how long each current witness other than the proposer waits, in
 * turn, for a rotation of the join secret before it rotates itself (§13.8). The proposer rotates
 * within a ROOM_CHECK_MS of seeing the change in effect, and its rotation reaches the others in
 * seconds; a minute is room for a slow sync, so a second rotation is rare, and with the proposer
 * offline the removed member stays in the room about a minute longer, not until someone acts.
 */
export const ROTATION_FALLBACK_MS = 60_000;

/**
 * How long a peer stays in the old room after taking a new join secret (§13.8): long enough to
 * pass the rotation on to members still there, short enough to leave a removed member soon.
 */
export const ROOM_SWITCH_DELAY_MS = 3_000;

/**
 * How often an inviter's peer closes the doors of tickets that expired or were withdrawn
 * (§13.9): a knock after expiry is refused anyway, so this only bounds how long a room lingers.
 */
export const DOOR_CHECK_MS = 30_000;

/**
 * How long a newcomer waits at a door for the inviter's answer: a relay and one WebRTC handshake
 * take seconds; a minute covers a slow network without leaving the person waiting on nothing.
 */
export const KNOCK_TIMEOUT_MS = 60_000;

/**
 * How long a peer with relays may reach no member before its status says that nobody answered
 * and why that may be (an old invitation after the join secret changed, §13.8). A minute, as for
 * a knock: a relay and a WebRTC handshake take seconds, and by then the watchdog has given up on
 * stalled attempts and rebuilt the room once (STALLED_CONNECTION_MS, ISOLATION_REBUILD_MS), so a
 * peer that could connect would have.
 */
export const NOBODY_ANSWERED_MS = 60_000;

/** How long a knock waits without any connection before joining the door afresh (as channels do). */
export const KNOCK_REJOIN_MS = 10_000;

/** A large sync's progress is said each time it has come this many percent further. */
export const SYNC_REPORT_STEP = 5;

/**
 * Transactions between two checkpoints (§14). A checkpoint costs its proposer and every witness
 * the state plus what came since (about 0.15 s per 100,000 transactions of history in bench s10,
 * against a second per 100,000 to replay), and it lets a newcomer start from it: often enough
 * that what a newcomer replays stays small, rarely enough to cost nothing noticeable.
 */
export const CHECKPOINT_EVERY = 10_000;

/**
 * A prune rewrites the whole log (engine/pruning.ts): it waits until it would drop at least
 * this many records, so a small network's log is rewritten rarely, a large one's every
 * checkpoint or so.
 */
export const PRUNE_MIN_RECORDS = 10_000;

/**
 * How long each witness after the one whose turn it is waits, in turn, before it proposes the
 * checkpoint itself: room for the first to compute the state and for its proposal to arrive.
 */
export const CHECKPOINT_FALLBACK_MS = 60_000;

/**
 * How soon after the ledger takes something a peer looks whether a higher checkpoint is
 * certified (and moves to its epoch, engine/epochs.ts): often enough that peers move within a
 * second of each other, seldom enough that a large sync does not look after every transaction.
 */
export const EPOCH_CHECK_MS = 250;

/**
 * How long a peer stays in the epoch it left (engine/epochs.ts). Peers see a checkpoint certified
 * within a second or two of each other, so a minute lets those a little behind meet it and learn
 * of it there; one further behind (offline at the time) catches up through the snapshot room
 * (engine/farBehind.ts). Staying longer would send every new transaction over two rooms.
 */
export const EPOCH_GRACE_MS = 60_000;

/**
 * When the writing budget (docs/protocol.md §15) refused an automatic action, the market tries
 * again after this long: a budget refills one transaction per `every` of witness time (500 ms
 * in networks founded now), and passes otherwise wait for something new to happen.
 */
export const BUDGET_RETRY_MS = 1_000;

/**
 * How often a peer asks its store how much disk is left (engine/diskSpace.ts): a statfs or a
 * storage estimate, once a minute, costs nothing an idle peer would notice.
 */
export const DISK_CHECK_MS = 60_000;
/**
 * Below this much free disk a peer warns: about eight days of one member writing at the
 * writing budget of networks founded now (118 MB a day, docs/performance.md s16).
 */
export const DISK_LOW_BYTES = 1_000_000_000;

import { describe, expect, it, vi } from 'vitest';
import {
  NOTIFICATION_KINDS,
  parseArguments,
  type NotifyArguments,
} from '../../shared/bridge/contract.ts';
import {
  createNotifier,
  MAX_NOTIFICATIONS_PER_MINUTE,
  notificationText,
} from '../../electron/notifications.ts';

vi.mock('electron', () => ({}));

describe('notification schema', () => {
  it('has exactly three kinds', () => {
    expect(NOTIFICATION_KINDS).toEqual(['new-job', 'payment-received', 'evaluation-due']);
  });

  it.each<NotifyArguments>([
    ['new-job', { count: 1 }],
    ['new-job', { count: 9999 }],
    ['payment-received', { amount: '0', unit: 'units' }],
    ['payment-received', { amount: '1234567.891', unit: 'hours' }],
    ['payment-received', { amount: '3', unit: 'Stunden' }],
    ['evaluation-due', { count: 3 }],
  ])('accepts %j', (...args) => {
    expect(parseArguments('notify', args)).toEqual({ ok: true, args });
  });

  it.each<[string, unknown[]]>([
    ['an unknown kind', ['hello', { count: 1 }]],
    ['free text', ['new-job', { count: 1, text: 'Click here' }]],
    ['a title', ['payment-received', { amount: '1', unit: 'units', title: 'Urgent' }]],
    ['HTML in the amount', ['payment-received', { amount: '<a href="x">1</a>', unit: 'units' }]],
    ['a negative amount', ['payment-received', { amount: '-5', unit: 'units' }]],
    ['an amount with words', ['payment-received', { amount: '5 from your bank', unit: 'units' }]],
    ['no unit', ['payment-received', { amount: '5' }]],
    ['HTML in the unit', ['payment-received', { amount: '5', unit: '<b>hours</b>' }]],
    ['a unit with a line break', ['payment-received', { amount: '5', unit: 'hours\nfrom x' }]],
    [
      'a unit longer than the genesis allows',
      ['payment-received', { amount: '5', unit: 'a'.repeat(17) }],
    ],
    ['an empty unit', ['payment-received', { amount: '5', unit: '' }]],
    ['a huge count', ['evaluation-due', { count: 1e9 }]],
    ['the wrong parameters for the kind', ['evaluation-due', { amount: '1' }]],
    ['no parameters', ['new-job']],
    ['an object instead of a kind', [{ kind: 'new-job', count: 1 }]],
  ])('refuses %s', (_name, args) => {
    const parsed = parseArguments('notify', args);
    expect(parsed.ok).toBe(false);
  });
});

describe('notification text', () => {
  it('comes from fixed templates, with only the number from outside', () => {
    expect(notificationText('new-job', { count: 1 })).toEqual({
      title: 'New job on the market',
      body: 'A new job matches the services you offer.',
    });
    expect(notificationText('new-job', { count: 4 }).body).toBe(
      '4 new jobs match the services you offer.',
    );
    expect(notificationText('payment-received', { amount: '12.5', unit: 'hours' })).toEqual({
      title: 'Payment received',
      body: 'You received 12.5 hours.',
    });
    // The unit agrees with the count, as everywhere else.
    expect(notificationText('payment-received', { amount: '1', unit: 'hours' }).body).toBe(
      'You received 1 hour.',
    );
    expect(notificationText('evaluation-due', { count: 2 })).toEqual({
      title: 'Evaluation due',
      body: '2 delivered jobs are waiting for your evaluation.',
    });
  });

  it('re-checks its values, so nothing else can get in even past the schema', () => {
    expect(() =>
      notificationText('payment-received', { amount: '<b>1</b>', unit: 'units' }),
    ).toThrow();
    expect(() =>
      notificationText('payment-received', { amount: '1', unit: '<a href="x">units</a>' }),
    ).toThrow();
    expect(() => notificationText('new-job', { count: 0.5 })).toThrow();
    expect(() => notificationText('evaluation-due', { count: -1 })).toThrow();
  });
});

describe('the notifier', () => {
  it('shows a notification and focuses the window on click', () => {
    const show = vi.fn();
    const onClick = vi.fn();
    const notify = createNotifier({ isSupported: () => true, show, onClick, now: () => 0 });
    expect(notify('evaluation-due', { count: 1 })).toEqual({ shown: true });
    expect(show).toHaveBeenCalledWith(
      { title: 'Evaluation due', body: 'A delivered job is waiting for your evaluation.' },
      'evaluation-due',
      expect.any(Function),
    );
    (show.mock.calls[0]?.[2] as () => void)();
    expect(onClick).toHaveBeenCalledOnce();
  });

  it('says so when the system has no notifications', () => {
    const show = vi.fn();
    const notify = createNotifier({
      isSupported: () => false,
      show,
      onClick: vi.fn(),
      now: () => 0,
    });
    expect(notify('new-job', { count: 1 })).toEqual({ shown: false });
    expect(show).not.toHaveBeenCalled();
  });

  it('drops a flood: a few per minute at most', () => {
    let now = 1_000_000;
    const show = vi.fn();
    const notify = createNotifier({
      isSupported: () => true,
      show,
      onClick: vi.fn(),
      now: () => now,
    });
    const results = Array.from({ length: 20 }, () => notify('new-job', { count: 1 }).shown);
    expect(results.filter(Boolean)).toHaveLength(MAX_NOTIFICATIONS_PER_MINUTE);
    now += 60_000;
    expect(notify('new-job', { count: 1 })).toEqual({ shown: true });
  });
});

// `gpow offer|bond|negotiate|request|jobs|evaluate|deliver|decline`: the DNEC life cycle from
// the command line. Every command talks to the running peer (`gpow run`), whose market
// (engine/market/market.ts) composes, signs and publishes; its side of each command is in
// node/cli/marketHandlers.ts, the options in marketParams.ts, and what is printed in
// marketText.ts.
import { parseArgs } from 'node:util';
import { amountWithUnit } from '../../shared/wallet/unitText.ts';
import { CliError, type Home } from './home.ts';
import { fieldSpec, isVerdict, JOB_OPTIONS, opt, requestParams } from './marketParams.ts';
import { bondText, describeJob, describeNegotiation, offerText } from './marketText.ts';
import { amountOf, viaPeer, type Output } from './output.ts';

export const MARKET_USAGE = `Services (DNEC; needs the running peer)
  service register --name N --unit U --evaluation review|vote [--field NAME:text|number[:sensitive][:required]]...
                                          register a service type; its id names it
  service list                            built-in and registered service types
  offer SERVICE --capacity N --rate N     offer a service (capacity 0 withdraws)
  bond AMOUNT                             lock a bond to become an eligible validator
  negotiate SERVICE JOB [--max-rate N] [--min-reputation N] [--exclude ADDR]... [--validators M --fee F]
                                          rank the providers that can take the job, with reasons
  request SERVICE JOB [--provider ADDR] [--within A,D,R,E] (and negotiate's options)
                                          escrow the price and ask the best (or named) provider
  jobs                                    your instances: stage, outcome, payments
  evaluate REQUEST approve|dispute|pass|fail   review a delivery, or give a validator's verdict
  deliver REQUEST --text TEXT             deliver hand-made work (sealed for the consumer)
  decline REQUEST [--reason TEXT]         refuse a request, or give up an accepted one
  JOB: pow --difficulty D [--data TEXT] | compute --fn NAME --input HEX
       | task --field title=… [--field details=…] --volume HOURS`;

export async function marketCommand(
  home: Home,
  command: string,
  args: string[],
  out: Output,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...JOB_OPTIONS,
      capacity: { type: 'string' },
      rate: { type: 'string' },
      text: { type: 'string' },
      reason: { type: 'string' },
      name: { type: 'string' },
      unit: { type: 'string' },
      evaluation: { type: 'string' },
    },
  });
  const [first, second] = positionals;
  switch (command) {
    case 'service': {
      if (first === 'list') {
        const rows = await viaPeer(home, 'market-services');
        return out.print(
          rows.map((r) => `${r.id.padEnd(64)}  ${r.name} (${r.unit}, ${r.evaluation})`).join('\n'),
          rows,
        );
      }
      if (first !== 'register')
        throw new CliError('usage: gpow service register … | gpow service list');
      const fields = (values.field ?? []).map(fieldSpec);
      const r = await viaPeer(home, 'market-service-register', {
        name: opt(values, 'name'),
        unit: opt(values, 'unit'),
        evaluation: opt(values, 'evaluation'),
        fields,
      });
      return out.print(`Registered. Its id names the service:\n${r.id}`, r);
    }
    case 'offer': {
      if (!first) throw new CliError('usage: gpow offer SERVICE --capacity N --rate N');
      const capacity = values.capacity === '0' ? '0' : String(amountOf(values.capacity ?? ''));
      const rate = String(amountOf(values.rate ?? ''));
      const r = await viaPeer(home, 'market-offer', { service: first, capacity, rate });
      return out.print(offerText(first, capacity, rate, r), r);
    }
    case 'bond': {
      const amount = String(amountOf(first ?? ''));
      const r = await viaPeer(home, 'market-bond', { amount });
      return out.print(bondText(amount, r), r);
    }
    case 'negotiate': {
      if (!first) throw new CliError('usage: gpow negotiate SERVICE JOB …');
      const r = await viaPeer(home, 'market-negotiate', requestParams(first, values));
      return out.print(describeNegotiation(r), r);
    }
    case 'request': {
      if (!first) throw new CliError('usage: gpow request SERVICE JOB …');
      const r = await viaPeer(home, 'market-request', requestParams(first, values));
      return out.print(
        `Requested from ${r.provider}; ${amountWithUnit(r.total, r.unit)} escrowed.\nRequest: ${r.id}`,
        r,
      );
    }
    case 'jobs': {
      const rows = await viaPeer(home, 'market-jobs', {});
      return out.print(
        rows.length === 0 ? 'No jobs yet.' : rows.map(describeJob).join('\n\n'),
        rows,
      );
    }
    case 'evaluate': {
      if (!first || !isVerdict(second)) {
        throw new CliError('usage: gpow evaluate REQUEST approve|dispute|pass|fail');
      }
      const r = await viaPeer(home, 'market-evaluate', {
        request: first,
        verdict: second,
      });
      return out.print(`Recorded "${second}".\nTransaction: ${r.id}`, r);
    }
    case 'deliver': {
      if (!first || typeof values.text !== 'string')
        throw new CliError('usage: gpow deliver REQUEST --text TEXT');
      const r = await viaPeer(home, 'market-deliver', {
        request: first,
        text: values.text,
      });
      return out.print(`Delivered.\nTransaction: ${r.id}`, r);
    }
    case 'decline': {
      if (!first) throw new CliError('usage: gpow decline REQUEST [--reason TEXT]');
      const r = await viaPeer(home, 'market-decline', {
        request: first,
        ...(values.reason ? { reason: values.reason } : {}),
      });
      return out.print(`Declined.\nTransaction: ${r.id}`, r);
    }
    default:
      throw new CliError(`unknown command "${command}"`);
  }
}

export const MARKET_COMMANDS = [
  'service',
  'offer',
  'bond',
  'negotiate',
  'request',
  'jobs',
  'evaluate',
  'deliver',
  'decline',
];

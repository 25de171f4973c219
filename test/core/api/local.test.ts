// The contract suite over the in-process transport.
import { createLocalClient } from '../../../core/api/local.ts';
import { contractSuite, makeLab } from './contract-suite.ts';

contractSuite('the in-process transport', async (opts) => {
  const { timers, fake, server } = makeLab(opts);
  return {
    timers,
    fake,
    client: createLocalClient(server),
    connect: async () => createLocalClient(server),
    close: async () => server.close(),
  };
});

import { loadConfig, type Config } from '@tokenledger/config';
import { openStore, secretBoxFor, type Store } from '@tokenledger/db';

/** Opens the store a command reads and writes through (the same repositories the API uses) and always closes it. */
export async function withStore<T>(body: (store: Store, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const { store, close } = openStore(config.DATABASE_URL, {
    poolSize: 4,
    secrets: () => secretBoxFor(config),
  });
  try {
    return await body(store, config);
  } finally {
    await close();
  }
}

// What the device keeps, and nothing more (docs/offline.md):
// - IndexedDB "buurtbrug": "outbox" (the worker's unsent contacts, keyed by
//   the contact's UUID, each with its owner's username) and "meta" (the
//   owner's username and the time of the last successful send);
// - the service worker's cache "bb-user": the offline form (no personal
//   data) and the reference lists; "bb-static-<version>": CSS, JS, icons.
// Logging out empties "meta" and "bb-user", and the outbox unless the worker
// chose to keep it.

export const USER_CACHE = 'bb-user';
export const SHELL_URL = '/contacts/new/shell';
export const REFERENCE_URL = '/api/v1/reference';

let opening = null;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open('buurtbrug', 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'id' });
        if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta');
      };
      req.onsuccess = () => {
        const db = req.result;
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      req.onerror = () => { opening = null; reject(req.error); };
    });
  }
  return opening;
}

// run does one request in its own transaction and resolves when that
// transaction has committed (so a put is on disk before we go on).
async function run(store, mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const req = fn(tx.objectStore(store));
    tx.oncomplete = () => resolve(req ? req.result : undefined);
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

export const outbox = {
  // all: an owner's items (every item for no owner), oldest first.
  async all(owner) {
    const list = (await run('outbox', 'readonly', (s) => s.getAll())) || [];
    return list.filter((i) => !owner || i.owner === owner).sort((a, b) => a.seq - b.seq);
  },
  get: (id) => run('outbox', 'readonly', (s) => s.get(id)),
  put: (item) => run('outbox', 'readwrite', (s) => s.put(item)),
  del: (id) => run('outbox', 'readwrite', (s) => s.delete(id)),
};

export const meta = {
  get: (key) => run('meta', 'readonly', (s) => s.get(key)),
  set: (key, value) => run('meta', 'readwrite', (s) => s.put(value, key)),
};

// clearDevice forgets everything but the static files and, when keep is
// true, the owner's outbox.
export async function clearDevice(owner, keep) {
  if (self.caches) await caches.delete(USER_CACHE);
  await run('meta', 'readwrite', (s) => s.clear());
  if (!keep) {
    for (const item of await outbox.all(owner)) await outbox.del(item.id);
  }
}

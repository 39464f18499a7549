/**
 * Within one provider process, writes to one configuration file run one at a time, in the order
 * they were asked for; reads are not held up. The engine runs many resources at once (its default
 * parallelism), and several may name the same server and file: unserialised, they race each
 * other's read-modify-write (mode "xml": compare-and-swap conflicts until the attempts run out;
 * mode "iis": IIS refuses to commit over a file that changed on disk). Writers in other processes
 * are still met by the compare-and-swap and the commit conflict, which both backends retry.
 */
import type { SessionBackend, SessionChange, SessionWriteResult } from "./types";

/**
 * Module-level, as it must outlive one operation: for each file key, the end of the queue of its
 * writes in this process. An entry is removed when its last queued write ends.
 */
const writeQueues = new Map<string, Promise<void>>();

/** `backend` with its writes queued behind every other write to `fileKey` in this process. */
export function oneWriterPerFile(fileKey: string, backend: SessionBackend): SessionBackend {
    return {
        description: backend.description,
        read: (location) => backend.read(location),
        ...(backend.locationWarning ? { locationWarning: (location: string) => backend.locationWarning!(location) } : {}),
        write: (location: string, change: SessionChange) => inTurn(fileKey, () => backend.write(location, change)),
    };
}

/** Runs `work` once every write queued before it for `fileKey` has ended, however it ended. */
async function inTurn(fileKey: string, work: () => Promise<SessionWriteResult>): Promise<SessionWriteResult> {
    const before = writeQueues.get(fileKey) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = before.then(() => mine);
    writeQueues.set(fileKey, tail);
    await before;
    try {
        return await work();
    } finally {
        done();
        if (writeQueues.get(fileKey) === tail) writeQueues.delete(fileKey);
    }
}

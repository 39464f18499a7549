/**
 * Pre-images that survive a crash. A create that replaced the file and was killed before the
 * engine heard back is retried by the engine as a fresh create; reading the file then finds the
 * resource's own values, and recording those as "previous" would make delete put back the wrong
 * thing. So each write records, in a journal beside the file, what the location held before the
 * provider first wrote each attribute and what it wrote; a later write that finds its own text
 * still there takes the recorded pre-image instead of what it reads. The journal is written
 * before the file is replaced, so no crash can leave a replaced file without its record.
 *
 * Pure: the journal's storage is the ConfigFileStore's (see PreImageJournal).
 */
import { CreationRecord, CREATED_LEVELS, NOTHING_CREATED } from "../apphost/sessionEditor";
import type { RawSessionAttributes, SessionAttribute } from "../settings/schema";
import type { LocationJournal } from "../stores/configFile";
import type { SessionWriteResult } from "./types";

export type PreImages = NonNullable<SessionWriteResult["preImages"]>;

/**
 * The pre-images of the attributes `set` writes: the journal's where the location still holds
 * what the journal says was written (the write is a retry, or rewrites the provider's own
 * value), else what the location holds now. The created elements likewise: those this write
 * creates, else the journal's when every attribute is the provider's own.
 */
export function preImagesFor(journal: LocationJournal | undefined, before: RawSessionAttributes, set: readonly SessionAttribute[], createdNow: CreationRecord): PreImages {
    const previous: PreImages["previous"] = {};
    let allOwn = set.length > 0;
    for (const name of set) {
        const image = journal?.attributes[name];
        const own = image !== undefined && before[name] === image.wrote;
        previous[name] = own ? image.previous : before[name] ?? null;
        allOwn = allOwn && own;
    }
    const recorded = journal?.created;
    const created = createdNow.created !== "" ? createdNow
        : allOwn && recorded && CREATED_LEVELS.includes(recorded.created as CreationRecord["created"]) ? recorded as CreationRecord
        : NOTHING_CREATED;
    return { previous, created };
}

/**
 * The location's journal after a write: the attributes set are recorded with their pre-images
 * and the text now written; attributes released (removed or restored) are forgotten, and so are
 * created elements that were pruned. undefined when nothing is left to remember.
 */
export function journalAfter(journal: LocationJournal | undefined, preImages: PreImages, set: readonly SessionAttribute[],
    released: readonly SessionAttribute[], after: RawSessionAttributes, pruned: boolean): LocationJournal | undefined {
    const attributes = { ...(journal?.attributes ?? {}) };
    for (const name of released) if (!set.includes(name)) delete attributes[name];
    for (const name of set) {
        const wrote = after[name];
        if (wrote === undefined) delete attributes[name];
        else attributes[name] = { previous: preImages.previous[name] ?? null, wrote };
    }
    if (Object.keys(attributes).length === 0) return undefined;
    const created = pruned ? undefined : preImages.created.created !== "" ? preImages.created : journal?.created;
    return created ? { attributes, created: { created: created.created, parentCloseAs: created.parentCloseAs } } : { attributes };
}

/** True if two location journals say the same. */
export function sameJournal(a: LocationJournal | undefined, b: LocationJournal | undefined): boolean {
    return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

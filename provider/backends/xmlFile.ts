/**
 * The "edit the XML file" backend: reads applicationHost.config through a ConfigFileStore (a local
 * file, or a remote one through a shell), edits it with the byte-preserving editor, checks the
 * result before writing it, writes it compare-and-swap, then reads it back and verifies.
 */
import { ApplicationHostDocument, parseApplicationHost } from "../apphost/document";
import { spliceDocument } from "../apphost/editedDocument";
import { editSession, SessionEdit } from "../apphost/sessionEditor";
import { readSession, SessionReading, WebConfigFile } from "../apphost/sessionReader";
import { scanSiteNames, unknownSiteMessage, unknownSiteWarning } from "../apphost/sites";
import { webConfigPlaces } from "../apphost/webConfigPlaces";
import { aspOverrideModeAt } from "../apphost/delegation";
import { describeLocation, locationKey } from "../settings/location";
import { show } from "../settings/quote";
import { formatAttribute, SESSION_ATTRIBUTES, sameValue, type SessionAttribute } from "../settings/schema";
import { ConfigFileError } from "../apphost/document";
import { ConfigFileStore, samePieces, writeContent } from "../stores/configFile";
import { retryingConflicts } from "./conflicts";
import { cachedSiteNames } from "./siteNamesCache";
import { journalAfter, preImagesFor, sameJournal } from "./preImages";
import { SessionBackend, SessionChange, SessionWriteResult, UnverifiedWriteError } from "./types";

export class XmlFileBackend implements SessionBackend {
    readonly description: string;

    constructor(private readonly file: ConfigFileStore) {
        this.description = file.label;
    }

    async read(location: string): Promise<SessionReading> {
        const { bytes, label = this.file.label } = await this.file.read();
        const document = applicationHostOnly(parseApplicationHost(bytes, label), label);
        return readingOf(document, location, label, await this.webConfigs(document, location));
    }

    /**
     * The web.config files IIS reads on the way to `location`, read from the file's host and
     * parsed. `known` carries them from one try of a write to the next: another writer changes
     * applicationHost.config, not the web.config files, so they are read again only if the sites
     * now name other files.
     */
    private async webConfigs(document: ApplicationHostDocument, location: string, known?: { files?: string; read?: WebConfigFile[] }): Promise<WebConfigFile[]> {
        const places = webConfigPlaces(document, location);
        // Where the section is locked all the way (IIS's default), no web.config can change what
        // IIS applies: none is read, and a remote read costs no extra round trip.
        if (!places.some((place) => aspOverrideModeAt(document, place.path).mode === "Allow")) return [];
        const files = places.map((place) => place.file);
        if (known?.read !== undefined && known.files === files.join("\n")) return known.read;
        const found = await this.file.readWebConfigs(files);
        const read = places.map((place, index): WebConfigFile => {
            const content = found[index];
            if (content.state !== "read") return { ...place, ...content };
            return { ...place, label: content.label, state: "read", document: parseApplicationHost(content.bytes, content.label) };
        });
        if (known) Object.assign(known, { files: files.join("\n"), read });
        return read;
    }

    /** Check's warning: only the site names are scanned for, once per version of the file (siteNamesCache.ts). */
    async locationWarning(location: string): Promise<string | undefined> {
        const { bytes, version, label = this.file.label } = await this.file.read();
        return unknownSiteMessage(cachedSiteNames(label, version, () => scanSiteNames(bytes)), location, label);
    }

    write(location: string, change: SessionChange): Promise<SessionWriteResult> {
        const known = {};
        return this.file.withLock(() => retryingConflicts(this.file.label, () => this.writeOnce(location, change, known)));
    }

    private async writeOnce(location: string, change: SessionChange, known: { files?: string; read?: WebConfigFile[] }): Promise<SessionWriteResult> {
        const { bytes, version, label = this.file.label } = await this.file.read();
        const document = applicationHostOnly(parseApplicationHost(bytes, label), label);
        const webConfigs = await this.webConfigs(document, location, known);
        const before = readingOf(document, location, label, webConfigs);
        refuseOverridden(before, change, location);
        const edit: SessionEdit = { set: {}, remove: [...change.remove], prune: change.prune };
        for (const name of SESSION_ATTRIBUTES) {
            const value = change.set[name];
            if (value !== undefined) edit.set[name] = { value: formatAttribute(name, value) };
            const raw = change.restore[name];
            if (raw !== undefined) edit.set[name] = { raw };
        }
        const result = editSession(document, location, label, edit);
        const set = SESSION_ATTRIBUTES.filter((name) => change.set[name] !== undefined);
        const released = SESSION_ATTRIBUTES.filter((name) => change.remove.includes(name) || change.restore[name] !== undefined);
        const entries = this.file.journal ? await this.file.journal.read() : {};
        const key = locationKey(location);
        const preImages = preImagesFor(entries[key], before.explicitRaw, set, result.record);
        const recordPreImages = async (after: SessionReading, pruned: boolean): Promise<void> => {
            const next = journalAfter(entries[key], preImages, set, released, after.explicitRaw, pruned);
            if (!this.file.journal || sameJournal(entries[key], next)) return;
            const updated = { ...entries };
            if (next) updated[key] = next;
            else delete updated[key];
            await this.file.journal.write(updated);
        };
        if (!result.changed) {
            await recordPreImages(before, false);
            return { before, after: before, created: result.record, pruned: false, preImages };
        }
        // Check what would be written before writing it: the file must parse (checked by scanning
        // the edited part; the rest was scanned above) and say what was asked.
        const edited = spliceDocument(document, bytes, result.splices, label);
        const after = readingOf(edited, location, label, webConfigs);
        verify(after, change, label, location, "before writing");
        // The journal first: a crash between the two leaves a record of a write that did not
        // happen (ignored: the file does not hold what it says was written), never the reverse.
        await recordPreImages(after, result.pruned);
        await writeContent(this.file, edited.pieces, version);
        const written = { before, created: result.record, pruned: result.pruned, preImages };
        // Read back and verify this location. Another writer may have changed other parts of the
        // file since (IIS Manager does not take our lock): that is not a failure of this write.
        let readBack: SessionReading | undefined;
        try {
            readBack = await this.readBack(edited.pieces, after, location, label, webConfigs);
            verify(readBack, change, label, location, "after writing");
        } catch (error) {
            const problem = error instanceof Error ? error.message : String(error);
            throw new UnverifiedWriteError(readBack === undefined ? `${label}: the file was written, but reading it back to verify ${describeLocation(location)} failed: ${problem}` : problem, { ...written, after: readBack });
        }
        return { ...written, after: readBack };
    }

    /**
     * What the file says at `location` after a write of `pieces`: `expected` (the reading of the
     * checked new tree) when the file holds exactly the pieces, else what it holds now, parsed.
     * A store that compares in chunks does not read the file whole beside the bytes just written.
     */
    private async readBack(pieces: readonly Buffer[], expected: SessionReading, location: string, label: string, webConfigs: readonly WebConfigFile[]): Promise<SessionReading> {
        if (this.file.holds && await this.file.holds(pieces)) return expected;
        const reread = await this.file.read();
        if (!this.file.holds && samePieces(reread.bytes, pieces)) return expected;
        return readingOf(parseApplicationHost(reread.bytes, label), location, label, webConfigs);
    }
}

/** The reading of a location, with the warning when it names no site the file defines: one shape for reads and writes. */
function readingOf(document: Pick<ApplicationHostDocument, "root">, location: string, label: string, webConfigs: readonly WebConfigFile[]): SessionReading {
    const reading = readSession(document, location, label, webConfigs);
    const unknownSite = unknownSiteWarning(document, location, label);
    return unknownSite === undefined ? reading : { ...reading, unknownSite };
}

/**
 * Refuses a file that is not an applicationHost.config (a web.config has no
 * `<system.applicationHost>`): its settings reach only its own folder, and it cannot say which
 * sites exist. The message says which file to give.
 */
function applicationHostOnly(document: ApplicationHostDocument, label: string): ApplicationHostDocument {
    if (document.root.children.some((child) => child.name === "system.applicationHost")) return document;
    throw new ConfigFileError(`${label}: has no <system.applicationHost>, so it is not an applicationHost.config (a web.config?); ` +
        "give the server's applicationHost.config (%windir%\\System32\\inetsrv\\config\\applicationHost.config), which sets a site's or an application's settings in <location> elements; nothing was written");
}

/**
 * Refuses, before writing, to set an attribute a web.config on the way sets: IIS applies the
 * web.config's value, so writing applicationHost.config would change nothing IIS does.
 */
function refuseOverridden(before: SessionReading, change: SessionChange, location: string): void {
    const refusal = overriddenRefusal(before, SESSION_ATTRIBUTES.filter((name) => change.set[name] !== undefined), location);
    if (refusal) throw refusal;
}

/** The refusal to set `names` where a web.config on the way sets some of them (per `before`'s sources), or undefined. */
export function overriddenRefusal(before: SessionReading, names: readonly SessionAttribute[], location: string): Error | undefined {
    const overridden = names.flatMap((name) => {
        const origin = before.sources?.[name];
        return origin?.level === "webConfig" ? [`${name} (set to ${show(before.effective[name])} by ${origin.file})`] : [];
    });
    return overridden.length > 0 ? overriddenError(location, overridden) : undefined;
}

/** The refusal itself; `described` says what a web.config sets ("max (set to 9 by ...)", or just "max" where the file is unknown). */
export function overriddenError(location: string, described: readonly string[]): Error {
    return new Error(`${describeLocation(location)}: a web.config sets ${described.join(", ")}, and IIS applies it over applicationHost.config, ` +
        "so writing applicationHost.config would not change what IIS applies; remove the attribute from that web.config (or lock it in applicationHost.config) and run again; nothing was written");
}

/** Throws if a reading does not hold what the change asked for, naming the attribute. */
export function verify(after: SessionReading, change: SessionChange, label: string, location: string, when: "before writing" | "after writing" = "after writing"): void {
    const problems: string[] = [];
    for (const name of SESSION_ATTRIBUTES) {
        const wanted = change.set[name];
        if (wanted !== undefined && !sameValue(name, after.explicit[name], wanted)) {
            problems.push(`${name} is ${show(after.explicit[name] ?? null)}, expected ${show(wanted)}`);
        }
        const raw = change.restore[name];
        if (raw !== undefined && after.explicitRaw[name] !== raw) {
            problems.push(`${name} is ${show(after.explicitRaw[name] ?? null)}, expected ${show(raw)} back`);
        }
        if (change.remove.includes(name) && wanted === undefined && raw === undefined && after.explicitRaw[name] !== undefined) {
            problems.push(`${name} is still set to ${show(after.explicitRaw[name])}`);
        }
    }
    if (problems.length > 0) {
        const consequence = when === "before writing" ? "nothing was written" : "the file was written but does not hold these values (changed by another writer?); run again to see the current state";
        throw new Error(`${label}: verifying ${describeLocation(location)} ${when} failed: ${problems.join("; ")}; ${consequence}`);
    }
}

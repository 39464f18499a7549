/**
 * The pre-image journal's logic: which pre-image a write takes (the journal's when the location
 * still holds what the journal says was written, else what it reads), and what the journal says
 * after a write.
 */
import * as assert from "assert";
import { NOTHING_CREATED } from "../../provider/apphost/sessionEditor";
import { journalAfter, preImagesFor, sameJournal } from "../../provider/backends/preImages";
import { parseJournal } from "../../provider/stores/local/localConfigFile";

const CREATED_LOCATION = { created: "location" as const, parentCloseAs: "" };

describe("pre-image journal", function () {
    it("takes the journal's pre-image where the location still holds the provider's own text", function () {
        const journal = { attributes: { max: { previous: "0300", wrote: "5" }, timeout: { previous: null, wrote: "00:10:00" } }, created: CREATED_LOCATION };
        assert.deepStrictEqual(preImagesFor(journal, { max: "5", timeout: "00:10:00" }, ["max", "timeout"], NOTHING_CREATED),
            { previous: { max: "0300", timeout: null }, created: CREATED_LOCATION });
        // Changed by hand since: what is there now is the pre-image, and nothing was created by this write.
        assert.deepStrictEqual(preImagesFor(journal, { max: "6", timeout: "00:10:00" }, ["max", "timeout"], NOTHING_CREATED),
            { previous: { max: "6", timeout: null }, created: NOTHING_CREATED });
        // Not in the journal: what is there now.
        assert.deepStrictEqual(preImagesFor(journal, { allowSessionState: "True" }, ["allowSessionState"], NOTHING_CREATED),
            { previous: { allowSessionState: "True" }, created: NOTHING_CREATED });
        assert.deepStrictEqual(preImagesFor(undefined, {}, ["max"], NOTHING_CREATED), { previous: { max: null }, created: NOTHING_CREATED });
        // What this write created wins over the journal's record.
        const asp = { created: "asp" as const, parentCloseAs: " />" };
        assert.deepStrictEqual(preImagesFor(journal, { max: "5" }, ["max"], asp).created, asp);
        // Nothing set: nothing is the provider's own, so the journal's created record is not taken.
        assert.deepStrictEqual(preImagesFor(journal, {}, [], NOTHING_CREATED).created, NOTHING_CREATED);
        // A record naming no known element is ignored.
        assert.deepStrictEqual(preImagesFor({ ...journal, created: { created: "bogus", parentCloseAs: "" } }, { max: "5" }, ["max"], NOTHING_CREATED).created, NOTHING_CREATED);
    });

    it("records what was set, forgets what was released or pruned, and is empty when nothing is left", function () {
        const preImages = { previous: { max: "0300" as string | null, timeout: null }, created: CREATED_LOCATION };
        assert.deepStrictEqual(journalAfter(undefined, preImages, ["max", "timeout"], [], { max: "5", timeout: "00:10:00" }, false),
            { attributes: { max: { previous: "0300", wrote: "5" }, timeout: { previous: null, wrote: "00:10:00" } }, created: CREATED_LOCATION });
        const journal = { attributes: { max: { previous: "0300", wrote: "5" }, timeout: { previous: null, wrote: "00:10:00" } }, created: CREATED_LOCATION };
        assert.deepStrictEqual(journalAfter(journal, { previous: {}, created: NOTHING_CREATED }, [], ["timeout"], { max: "5" }, false),
            { attributes: { max: { previous: "0300", wrote: "5" } }, created: CREATED_LOCATION });
        assert.deepStrictEqual(journalAfter(journal, { previous: { max: "0300" }, created: NOTHING_CREATED }, ["max"], ["timeout"], { max: "7" }, true),
            { attributes: { max: { previous: "0300", wrote: "7" } } });
        assert.strictEqual(journalAfter(journal, { previous: {}, created: NOTHING_CREATED }, [], ["max", "timeout"], {}, true), undefined);
        // Set but not found after the write (cannot be verified): not recorded.
        assert.strictEqual(journalAfter(undefined, { previous: { max: null }, created: NOTHING_CREATED }, ["max"], [], {}, false), undefined);
        assert.ok(sameJournal(journal, JSON.parse(JSON.stringify(journal))));
        assert.ok(!sameJournal(journal, undefined));
        assert.ok(sameJournal(undefined, undefined));
    });

    it("reads a journal file, keeping well-formed entries and ignoring anything else", function () {
        assert.deepStrictEqual(parseJournal("not json"), {});
        assert.deepStrictEqual(parseJournal("null"), {});
        assert.deepStrictEqual(parseJournal(JSON.stringify({ locations: 5 })), {});
        assert.deepStrictEqual(parseJournal(JSON.stringify({ version: 1, locations: {
            "site": { attributes: { max: { previous: null, wrote: "5" }, timeout: { previous: 3, wrote: "x" }, bad: null }, created: { created: "asp", parentCloseAs: " />" } },
            "other": { attributes: "no" },
            "third": { attributes: {}, created: { created: 1 } },
        } })), {
            site: { attributes: { max: { previous: null, wrote: "5" } }, created: { created: "asp", parentCloseAs: " />" } },
            third: { attributes: {} },
        });
    });
});

/**
 * Drift as the audit reports it: a desired attribute drifts unless the location itself sets it to
 * a value IIS reads as equal. Checked as a property over every combination of desired and explicit
 * values, against the rule stated directly.
 */
import * as assert from "assert";
import { driftedAttributes } from "../../provider/settings/drift";
import { SESSION_ATTRIBUTES, type SessionSettings } from "../../provider/settings/schema";

/** Values per attribute: absent, and two different ones (the timeouts also in a second spelling of the same duration). */
const CHOICES: { [K in keyof Required<SessionSettings>]: (Required<SessionSettings>[K] | undefined)[] } = {
    allowSessionState: [undefined, true, false],
    keepSessionIdSecure: [undefined, true, false],
    max: [undefined, 0, 4294967295],
    timeout: [undefined, "00:20:00", "1.00:00:00"],
};

/** Same duration, other spelling: what a hand edit may leave in the file. */
const SPELLING: Record<string, string> = { "00:20:00": "0:20:00", "1.00:00:00": "1.0:0:0" };

function* combinations(): Generator<SessionSettings> {
    const names = SESSION_ATTRIBUTES;
    const counts = names.map((name) => CHOICES[name].length);
    const total = counts.reduce((a, b) => a * b, 1);
    for (let index = 0; index < total; index++) {
        const settings: Record<string, unknown> = {};
        let rest = index;
        names.forEach((name, i) => {
            const value = CHOICES[name][rest % counts[i]];
            rest = Math.floor(rest / counts[i]);
            if (value !== undefined) settings[name] = value;
        });
        yield settings as SessionSettings;
    }
}

describe("drift", function () {
    it("lists exactly the desired attributes the location does not set to an equal value, in schema order (property: every combination)", function () {
        const all = [...combinations()];
        assert.strictEqual(all.length, 81);
        for (const desired of all) {
            for (const explicit of all) {
                for (const respelled of [false, true]) {
                    const file: SessionSettings = { ...explicit };
                    if (respelled && file.timeout !== undefined) file.timeout = SPELLING[file.timeout];
                    const expected = SESSION_ATTRIBUTES.filter((name) => desired[name] !== undefined && desired[name] !== explicit[name]);
                    assert.deepStrictEqual(driftedAttributes(desired, file), expected, `${JSON.stringify(desired)} against ${JSON.stringify(file)}`);
                }
            }
        }
    });

    it("an attribute the program does not manage never drifts; an unset one always does", function () {
        assert.deepStrictEqual(driftedAttributes({}, { max: 5, timeout: "00:30:00" }), []);
        assert.deepStrictEqual(driftedAttributes({ max: 5 }, {}), ["max"]);
        assert.deepStrictEqual(driftedAttributes({ allowSessionState: false }, { allowSessionState: false, max: 1 }), []);
    });
});

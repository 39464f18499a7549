import * as assert from "assert";
import { accountKey, parseUserName } from "../../../../provider/carriers/winrm/ntlm/username";

describe("parseUserName", () => {
    it("splits DOMAIN\\user at the backslash", () => {
        assert.deepStrictEqual(parseUserName("CORP\\alice"), { user: "alice", domain: "CORP" });
    });

    it("keeps a UPN whole with an empty domain, as Windows' own client sends it", () => {
        assert.deepStrictEqual(parseUserName("alice@corp.example.com"), { user: "alice@corp.example.com", domain: "" });
    });

    it("takes a bare name as a local account with an empty domain", () => {
        assert.deepStrictEqual(parseUserName("Administrator"), { user: "Administrator", domain: "" });
    });

    it("accepts .\\user (the local machine) with domain \".\"", () => {
        assert.deepStrictEqual(parseUserName(".\\vagrant"), { user: "vagrant", domain: "." });
    });

    it("refuses a name without a user part, quoting it", () => {
        assert.throws(() => parseUserName("CORP\\"), /user name "CORP\\\\" has no user part/);
        assert.throws(() => parseUserName(""), /has no user part/);
    });

    it("refuses more than one backslash", () => {
        assert.throws(() => parseUserName("A\\B\\c"), /more than one backslash/);
    });
});

describe("accountKey", () => {
    it("gives the same key for every spelling of one account", () => {
        const keys = ["CORP\\Alice", "alice@corp.example", "ALICE"].map((name) => accountKey(parseUserName(name)));
        assert.deepStrictEqual(keys, ["ALICE", "ALICE", "ALICE"]);
    });

    it("tells different accounts apart", () => {
        assert.notStrictEqual(accountKey(parseUserName("CORP\\alice")), accountKey(parseUserName("CORP\\bob")));
    });
});

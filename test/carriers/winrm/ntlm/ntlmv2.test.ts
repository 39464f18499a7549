import * as assert from "assert";
import { encodeAvPairs, decodeAvPairs } from "../../../../provider/carriers/winrm/ntlm/avPairs";
import {
    exchangeSessionKey,
    fileTime,
    lmv2Response,
    ntlmv2ClientBlob,
    ntowfv1,
    ntowfv2,
    ntProofStr,
    sessionBaseKey,
} from "../../../../provider/carriers/winrm/ntlm/ntlmv2";
import { loadNtlmVectors } from "./vectors";

describe("ntlmv2 computations (MS-NLMP 4.2.4 vectors from ntlm_vectors.md)", () => {
    const vectors = loadNtlmVectors();
    before(function () {
        if (vectors === undefined) this.skip();
    });

    it("NTOWFv1 = MD4(UNICODE(Passwd)) (4.2.2.1.2)", () => {
        assert.deepStrictEqual(ntowfv1(vectors!.password), vectors!.ntowfv1);
    });

    it("NTOWFv2 = HMAC_MD5(NTOWFv1, UNICODE(Upper(User) ‖ UserDom)) (4.2.4.1.1)", () => {
        const v = vectors!;
        assert.deepStrictEqual(ntowfv2(v.password, v.user, v.domain), v.ntowfv2);
    });

    it("uppercases the user but not the domain", () => {
        const v = vectors!;
        assert.deepStrictEqual(ntowfv2(v.password, v.user.toLowerCase(), v.domain), v.ntowfv2);
        assert.notDeepStrictEqual(ntowfv2(v.password, v.user, v.domain.toUpperCase()), v.ntowfv2);
    });

    it("builds the client blob `temp` from Time, ClientChallenge and the server's AV pairs (3.3.2)", () => {
        const v = vectors!;
        const pairs = encodeAvPairs(decodeAvPairs(v.targetInfo));
        assert.deepStrictEqual(pairs, v.targetInfo, "AV pairs re-encode byte for byte");
        assert.deepStrictEqual(ntlmv2ClientBlob(v.time, v.clientChallenge, pairs), v.clientBlob);
    });

    it("LMv2 response (4.2.4.2.1)", () => {
        const v = vectors!;
        assert.deepStrictEqual(lmv2Response(v.ntowfv2, v.serverChallenge, v.clientChallenge), v.lmv2Response);
    });

    it("NTProofStr = HMAC_MD5(ResponseKeyNT, ServerChallenge ‖ temp) (4.2.4.2.2)", () => {
        const v = vectors!;
        assert.deepStrictEqual(ntProofStr(v.ntowfv2, v.serverChallenge, v.clientBlob), v.ntProofStr);
    });

    it("SessionBaseKey = HMAC_MD5(ResponseKeyNT, NTProofStr) (4.2.4.1.2)", () => {
        const v = vectors!;
        assert.deepStrictEqual(sessionBaseKey(v.ntowfv2, v.ntProofStr), v.sessionBaseKey);
    });

    it("EncryptedRandomSessionKey = RC4K(KeyExchangeKey, RandomSessionKey), and back (4.2.4.2.3)", () => {
        const v = vectors!;
        assert.deepStrictEqual(exchangeSessionKey(v.sessionBaseKey, v.randomSessionKey), v.encryptedRandomSessionKey);
        assert.deepStrictEqual(exchangeSessionKey(v.sessionBaseKey, v.encryptedRandomSessionKey), v.randomSessionKey);
    });
});

describe("fileTime", () => {
    it("counts 100 ns ticks since 1601-01-01 UTC, little-endian", () => {
        // 1970-01-01 is 11644473600 s after 1601-01-01: 116444736000000000 ticks = 0x019db1ded53e8000.
        assert.strictEqual(fileTime(new Date(0)).toString("hex"), "00803ed5deb19d01");
        assert.strictEqual(fileTime(new Date(1)).readBigUInt64LE(0), 116444736000010000n);
    });
});

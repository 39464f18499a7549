import * as assert from "assert";
import { kerberosPrincipal } from "../../../../provider/carriers/winrm/auth/kerberos";

describe("Kerberos user principals", () => {
    it("upper-cases the realm as Active Directory writes it, and leaves a bare user to krb5.conf's default realm", () => {
        assert.strictEqual(kerberosPrincipal("deploy@corp.example"), "deploy@CORP.EXAMPLE");
        assert.strictEqual(kerberosPrincipal("Deploy@CORP.EXAMPLE"), "Deploy@CORP.EXAMPLE");
        assert.strictEqual(kerberosPrincipal("deploy"), "deploy");
    });
});

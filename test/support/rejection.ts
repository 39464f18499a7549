import * as assert from "assert";

/** The Error `promise` rejects with; fails the test when it resolves or rejects with a non-Error. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (error) {
        assert.ok(error instanceof Error);
        return error;
    }
    assert.fail("expected a rejection");
}

import { FaultInjection, InjectedFault } from "./options";

/** The kinds of request a one-shot fault can be armed for. */
export type FaultTarget = "Command" | "Receive";

/** Armed faults: one-shot per request kind, plus the Receive timeouts given to each new command. */
export class FaultPlan {
    private readonly next = new Map<FaultTarget, InjectedFault>();
    private timeoutsPerCommand = 0;

    constructor(initial: FaultInjection = {}) {
        this.arm(initial);
    }

    /** Arms what `plan` names; kinds it leaves out keep what they had. */
    arm(plan: FaultInjection): void {
        if (plan.onNextCommand !== undefined) this.next.set("Command", plan.onNextCommand);
        if (plan.onNextReceive !== undefined) this.next.set("Receive", plan.onNextReceive);
        if (plan.receiveTimeoutsBeforeOutput !== undefined) {
            const count = plan.receiveTimeoutsBeforeOutput;
            if (!Number.isInteger(count) || count < 0) {
                throw new RangeError(`receiveTimeoutsBeforeOutput must be a whole number ≥ 0, got ${count}`);
            }
            this.timeoutsPerCommand = count;
        }
    }

    /** The fault armed for this kind of request, disarming it. */
    take(kind: string): InjectedFault | undefined {
        if (kind !== "Command" && kind !== "Receive") return undefined;
        const fault = this.next.get(kind);
        this.next.delete(kind);
        return fault;
    }

    get receiveTimeoutsBeforeOutput(): number {
        return this.timeoutsPerCommand;
    }
}

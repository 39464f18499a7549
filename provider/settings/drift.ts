/**
 * Drift, as `pulumi preview` sees it: a desired attribute is in sync when it is set at the
 * location itself (not merely inherited) to a value IIS reads as equal (a TimeSpan by its
 * duration, whatever its spelling). Attributes that are not desired are ignored.
 */
import { SESSION_ATTRIBUTES, SessionAttribute, SessionSettings, sameValue } from "./schema";

/** The desired attributes that the location's explicit values do not satisfy, in schema order. */
export function driftedAttributes(desired: SessionSettings, explicit: SessionSettings): SessionAttribute[] {
    return SESSION_ATTRIBUTES.filter((name) => desired[name] !== undefined && (explicit[name] === undefined || !sameValue(name, explicit[name], desired[name])));
}

/**
 * The XML-RPC data model as this sandbox holds it in memory.
 *
 * JavaScript has one number type and XML-RPC two, so a plain number is written as an
 * <int> when it is whole and as a <double> otherwise; a float field whose value happens
 * to be whole (a price of 10.0) is wrapped in XmlRpcDouble so it still travels as a
 * <double>, as Odoo sends it. Parsing gives plain numbers for both: nothing this server
 * does depends on whether a client wrote 3 or 3.0.
 */

export class XmlRpcDouble {
  constructor(readonly value: number) {}
}

/** A struct. Parsed structs have no prototype, so a member named `__proto__` is just a member. */
export interface XmlRpcStruct {
  [member: string]: XmlRpcValue;
}

export type XmlRpcValue = number | XmlRpcDouble | boolean | string | null | Date | Buffer | XmlRpcValue[] | XmlRpcStruct;

export interface MethodCall {
  methodName: string;
  params: XmlRpcValue[];
}

export type MethodResponse = { kind: 'params'; value: XmlRpcValue } | { kind: 'fault'; faultCode: number | string; faultString: string };

export function isStruct(value: XmlRpcValue | undefined): value is XmlRpcStruct {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof XmlRpcDouble) &&
    !Buffer.isBuffer(value)
  );
}

export function newStruct(): XmlRpcStruct {
  return Object.create(null) as XmlRpcStruct;
}

/** The number inside a value, whether it came as <int> or <double>; undefined otherwise. */
export function numberOf(value: XmlRpcValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (value instanceof XmlRpcDouble) return value.value;
  return undefined;
}

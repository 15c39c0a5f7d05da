import { describe, expect, it } from 'vitest';
import { XmlRpcDecodeError, parseMethodCall, parseMethodResponse } from './parse.js';
import { serializeFault, serializeMethodCall, serializeResponse } from './serialize.js';
import { XmlRpcDouble, type XmlRpcValue } from './values.js';

const roundTrip = (value: XmlRpcValue): XmlRpcValue => {
  const response = parseMethodResponse(serializeResponse(value));
  if (response.kind !== 'params') throw new Error('expected params');
  return response.value;
};

describe('XML-RPC codec', () => {
  it('round-trips every value type', () => {
    const when = new Date(Date.UTC(2026, 5, 30, 12, 34, 56));
    const value: XmlRpcValue = {
      int: 42,
      negative: -7,
      big: 2 ** 40,
      double: 1234.56,
      wholeDouble: new XmlRpcDouble(10),
      yes: true,
      no: false,
      text: 'plain',
      when,
      bytes: Buffer.from([0, 1, 2, 250, 255]),
      nothing: null,
    };
    expect(roundTrip(value)).toEqual({ ...value, wholeDouble: 10 });
    const xml = serializeResponse(value);
    expect(xml).toContain('<value><double>10.0</double></value>');
    expect(xml).toContain('<value><dateTime.iso8601>20260630T12:34:56</dateTime.iso8601></value>');
    expect(xml).toContain('<value><i8>1099511627776</i8></value>');
  });

  it('keeps nested structs, empty containers and one-element arrays', () => {
    const value: XmlRpcValue = [{ a: { b: { c: [1] } }, empty: {}, none: [] }, [[['deep']]], [{}], []];
    expect(roundTrip(value)).toEqual(value);
    expect(roundTrip([7])).toEqual([7]);
    expect(roundTrip({ only: 'one' })).toEqual({ only: 'one' });
  });

  it('escapes markup and keeps whitespace, carriage returns and non-ASCII text', () => {
    const text = '  <b>a & b</b> \t\r\n "quoted" \'single\' é ☃  ';
    expect(roundTrip(text)).toBe(text);
    expect(roundTrip({ '<key & name>': text })).toEqual({ '<key & name>': text });
    expect(roundTrip('')).toBe('');
    expect(serializeResponse('a<b&c>')).toContain('<string>a&lt;b&amp;c&gt;</string>');
  });

  it('reads what Python xmlrpc.client writes, untyped values included', () => {
    // The body xmlrpc.client.dumps(('db', 2, 'pw', 'res.partner', 'search_read', [[['is_company', '=', True]]], {'fields': ['name'], 'limit': 5}), 'execute_kw') produces.
    const body =
      "<?xml version='1.0'?>\n<methodCall>\n<methodName>execute_kw</methodName>\n<params>\n<param>\n<value><string>db</string></value>\n</param>\n<param>\n<value><int>2</int></value>\n</param>\n<param>\n<value><string>pw</string></value>\n</param>\n<param>\n<value><string>res.partner</string></value>\n</param>\n<param>\n<value><string>search_read</string></value>\n</param>\n<param>\n<value><array><data>\n<value><array><data>\n<value><array><data>\n<value><string>is_company</string></value>\n<value><string>=</string></value>\n<value><boolean>1</boolean></value>\n</data></array></value>\n</data></array></value>\n</data></array></value>\n</param>\n<param>\n<value><struct>\n<member>\n<name>fields</name>\n<value><array><data>\n<value><string>name</string></value>\n</data></array></value>\n</member>\n<member>\n<name>limit</name>\n<value><int>5</int></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodCall>\n";
    expect(parseMethodCall(body)).toEqual({
      methodName: 'execute_kw',
      params: ['db', 2, 'pw', 'res.partner', 'search_read', [[['is_company', '=', true]]], { fields: ['name'], limit: 5 }],
    });
    const untyped =
      '<methodCall><methodName>m</methodName><params><param><value>  spaced text </value></param><param><value></value></param><param><value><i4>3</i4></value></param><param><value><string/></value></param></params></methodCall>';
    expect(parseMethodCall(untyped).params).toEqual(['  spaced text ', '', 3, '']);
  });

  it('decodes entities and character references, and accepts a call without params', () => {
    expect(parseMethodCall('<methodCall><methodName>version</methodName></methodCall>')).toEqual({ methodName: 'version', params: [] });
    const call = parseMethodCall(
      '<methodCall><methodName>m</methodName><params><param><value>&lt;&amp;&gt; &#233;&#x41;&#13;</value></param></params></methodCall>',
    );
    expect(call.params).toEqual(['<&> éA\r']);
  });

  it('reads CDATA sections as text, and ignores the declaration and comments', () => {
    const call = parseMethodCall(
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><methodCall><methodName>m</methodName><params><param><value><string><![CDATA[<b> & ]]>tail</string></value></param></params></methodCall>',
    );
    expect(call.params).toEqual(['<b> & tail']);
  });

  it('treats a struct member named __proto__ as data', () => {
    const call = parseMethodCall(
      '<methodCall><methodName>m</methodName><params><param><value><struct><member><name>__proto__</name><value><int>1</int></value></member></struct></value></param></params></methodCall>',
    );
    const struct = call.params[0] as Record<string, unknown>;
    expect(Object.keys(struct)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(struct)).toBeNull();
  });

  it('round-trips method calls and faults', () => {
    const params: XmlRpcValue[] = ['sandbox', 2, [['id', 'in', [1, 2]]], { limit: 1 }];
    expect(parseMethodCall(serializeMethodCall('execute_kw', params))).toEqual({ methodName: 'execute_kw', params });
    expect(parseMethodResponse(serializeFault(3, 'Access Denied'))).toEqual({ kind: 'fault', faultCode: 3, faultString: 'Access Denied' });
    expect(parseMethodResponse(serializeFault('warning -- UserError\n\nNo', ''))).toEqual({
      kind: 'fault',
      faultCode: 'warning -- UserError\n\nNo',
      faultString: '',
    });
  });

  it.each([
    ['malformed XML', '<methodCall><methodName>x</methodName>', 'xml.parsers.expat.ExpatError'],
    ['not XML at all', 'hello', 'xml.parsers.expat.ExpatError'],
    ['an empty body', '', 'xml.parsers.expat.ExpatError'],
    ['a DOCTYPE', '<!DOCTYPE x [<!ENTITY a "b">]><methodCall><methodName>&a;</methodName></methodCall>', 'xml.parsers.expat.ExpatError'],
    ['mismatched tags', '<methodCall><methodName>x</name></methodCall>', 'xml.parsers.expat.ExpatError'],
    ['an entity XML does not define', '<methodCall><methodName>a&nbsp;b</methodName></methodCall>', 'xml.parsers.expat.ExpatError'],
    ['two roots', '<methodCall><methodName>x</methodName></methodCall><methodCall/>', 'xml.parsers.expat.ExpatError'],
    ['another root', '<methodResponse/>', 'xmlrpc.client.ResponseError'],
    ['a bad int', '<methodCall><methodName>m</methodName><params><param><value><int>x</int></value></param></params></methodCall>', 'ValueError'],
    ['a bad boolean', '<methodCall><methodName>m</methodName><params><param><value><boolean>2</boolean></value></param></params></methodCall>', 'TypeError'],
    [
      'an unknown type',
      '<methodCall><methodName>m</methodName><params><param><value><float>1</float></value></param></params></methodCall>',
      'xmlrpc.client.ResponseError',
    ],
    [
      'an array without data',
      '<methodCall><methodName>m</methodName><params><param><value><array/></value></param></params></methodCall>',
      'xmlrpc.client.ResponseError',
    ],
  ])('rejects %s with the error Python raises', (_what, body, pythonType) => {
    let caught: unknown;
    try {
      parseMethodCall(body);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(XmlRpcDecodeError);
    expect((caught as XmlRpcDecodeError).pythonType).toBe(pythonType);
  });
});

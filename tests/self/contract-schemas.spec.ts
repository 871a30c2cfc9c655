// The contract as schemas and data: the seed examples, the enums and their sentinel, the request and response
// schemas, the suite's own data files, the negative cases' promise to be invalid, and the permission matrix.
import { test, expect } from '@playwright/test';
import type { ValidateFunction } from 'ajv';
import {
  ENUMS, REMOTE_ACTION_NEWER, SENTINEL, isAfterSentinel, knownMembers, tailMembers, type EnumInfo,
} from '../../schemas/enums';
import { readFileSync } from 'node:fs';
import { ROOT, SEED_EXAMPLE_REQUEST, SEED_EXAMPLE_RESPONSE, decide, describeErrors, validators } from '../../src/contract';
import { caseBody, loadCases } from '../../src/checks/cases';

const readJson = (path: string): unknown => JSON.parse(readFileSync(`${ROOT}${path}`, 'utf8'));

/** Asserts the verdict and, when it is wrong, prints ajv's errors so the failing keyword is visible. */
function verdict(validate: ValidateFunction, data: unknown, valid: boolean): void {
  const got = validate(data) as boolean;
  expect(got, `${JSON.stringify(data).slice(0, 200)}\n${describeErrors(validate.errors).join('\n')}`).toBe(valid);
}

const seed = (patch: Record<string, unknown>) => ({ ...SEED_EXAMPLE_REQUEST, ...patch });
const ENUM_PROPERTY: Record<keyof typeof ENUMS, string> = { remoteAction: 'action', actionState: 'actionState', deviceActionCategory: 'deviceActionCategory' };

test('the seed example request is a valid create body', () => {
  verdict(validators.createBody, SEED_EXAMPLE_REQUEST, true);
});

test('the seed example response is a valid entity', () => {
  verdict(validators.entity, SEED_EXAMPLE_RESPONSE, true);
});

test.describe('enums', () => {
  for (const [name, e] of Object.entries(ENUMS) as [keyof typeof ENUMS, EnumInfo][]) {
    const prop = ENUM_PROPERTY[name];

    test(`every ${name} member is accepted in a create body`, () => {
      for (const m of e.members) verdict(validators.createBody, seed({ [prop]: m }), true);
    });

    test(`near misses of ${name} members are rejected`, () => {
      const others = Object.values(ENUMS).filter((o) => o !== e).flatMap((o) => o.members).filter((m) => !e.members.includes(m));
      for (const m of e.members) {
        for (const v of [m.toUpperCase(), m[0]!.toUpperCase() + m.slice(1), ` ${m}`, `${m} `, `${m}\n`]) {
          if (!e.members.includes(v)) verdict(validators.createBody, seed({ [prop]: v }), false);
        }
      }
      for (const v of others) verdict(validators.createBody, seed({ [prop]: v }), false);
    });
  }

  test('unknownFutureValue sits at index 31 of remoteAction, after 31 known members', () => {
    expect(ENUMS.remoteAction.sentinelIndex).toBe(31);
    expect(ENUMS.remoteAction.members[31]).toBe(SENTINEL);
    expect(knownMembers(ENUMS.remoteAction)).toHaveLength(31);
    expect(knownMembers(ENUMS.remoteAction).at(-1)).toBe('rotateLocalAdminPassword');
  });

  test('delete and the four newer members are after the sentinel; rotateLocalAdminPassword is not', () => {
    expect(REMOTE_ACTION_NEWER).toHaveLength(4);
    for (const m of ['delete', ...REMOTE_ACTION_NEWER]) expect(isAfterSentinel(ENUMS.remoteAction, m), m).toBe(true);
    expect(isAfterSentinel(ENUMS.remoteAction, 'rotateLocalAdminPassword')).toBe(false);
    expect(isAfterSentinel(ENUMS.remoteAction, SENTINEL)).toBe(false);
    expect(tailMembers(ENUMS.remoteAction)).toContain('launchRemoteHelp');
  });

  test('actionState has 7 members and no sentinel', () => {
    expect(ENUMS.actionState.members).toHaveLength(7);
    expect(ENUMS.actionState.sentinelIndex).toBe(-1);
    expect(tailMembers(ENUMS.actionState)).toEqual([]);
    expect(knownMembers(ENUMS.actionState)).toEqual(ENUMS.actionState.members);
  });

  test('deviceActionCategory is single and bulk, with no sentinel', () => {
    expect(ENUMS.deviceActionCategory.members).toEqual(['single', 'bulk']);
    expect(ENUMS.deviceActionCategory.sentinelIndex).toBe(-1);
  });
});

test.describe('create body', () => {
  test('an empty object is a valid create body (every property is optional)', () => {
    verdict(validators.createBody, {}, true);
  });

  test('unknown properties are rejected', () => {
    for (const k of ['deviceActionDetails', 'status', 'Action', 'requestdatetime', '@odata.etag']) {
      verdict(validators.createBody, seed({ [k]: 'x' }), false);
    }
  });

  test('an @odata.type other than #microsoft.graph.remoteActionAudit is rejected', () => {
    for (const t of ['#microsoft.graph.managedDevice', 'microsoft.graph.remoteActionAudit', '#microsoft.graph.RemoteActionAudit', '', null]) {
      verdict(validators.createBody, seed({ '@odata.type': t }), false);
    }
  });

  test('null is rejected for action, actionState, requestDateTime and deviceActionCategory', () => {
    for (const p of ['action', 'actionState', 'requestDateTime', 'deviceActionCategory']) verdict(validators.createBody, seed({ [p]: null }), false);
  });

  test('null is accepted for every string property', () => {
    for (const p of ['deviceDisplayName', 'userName', 'initiatedByUserPrincipalName', 'deviceOwnerUserPrincipalName', 'deviceIMEI', 'managedDeviceId', 'bulkDeviceActionId']) {
      verdict(validators.createBody, seed({ [p]: null }), true);
    }
  });

  test('date-times outside RFC 3339 are rejected', () => {
    for (const v of ['2017-01-01T00:03:07', '2017-01-01', '2017-01-01 00:03:07Z', '2017-01-01T00:03:07+0800', '2017-01-01T00:03Z',
      '17-01-01T00:03:07Z', '2017-1-01T00:03:07Z', '2017-02-30T00:03:07Z', '2017-13-01T00:03:07Z', '2017-01-01T24:00:00Z',
      '2017-01-01T00:60:07Z', '2017-01-01T00:03:07.Z', '2017-01-01T00:03:07+24:00', 'not a date', '']) {
      verdict(validators.createBody, seed({ requestDateTime: v }), false);
    }
  });

  test('a date-time with 8 fractional digits is rejected', () => {
    verdict(validators.createBody, seed({ requestDateTime: '2017-01-01T00:03:07.15890021-08:00' }), false);
  });

  test('a date-time with 0 to 7 fractional digits is accepted', () => {
    for (let n = 0; n <= 7; n++) {
      const frac = n ? `.${'1589002'.slice(0, n)}` : '';
      verdict(validators.createBody, seed({ requestDateTime: `2017-01-01T00:03:07${frac}-08:00` }), true);
    }
  });

  test('a date-time with any offset is accepted', () => {
    for (const o of ['Z', '+00:00', '-00:00', '+05:30', '-00:30', '-08:00', '+14:00', '-14:00', '+05:45']) {
      verdict(validators.createBody, seed({ requestDateTime: `2017-01-01T00:03:07.1589002${o}` }), true);
    }
  });
});

test.describe('entity', () => {
  const minimal = { id: '477f8d24-8d24-477f-248d-7f47248d7f47' };

  test('unknown extra properties are tolerated', () => {
    verdict(validators.entity, { ...SEED_EXAMPLE_RESPONSE, deviceActionDetails: [{ key: 'k', value: 'v' }], somethingNew: 1 }, true);
  });

  test('@odata annotations are tolerated', () => {
    verdict(validators.entity, { ...SEED_EXAMPLE_RESPONSE, '@odata.etag': 'W/"1"', '@odata.context': 'https://graph.microsoft.com/beta/$metadata#x/$entity' }, true);
  });

  test('@odata.type and @odata.context are not required', () => {
    const { '@odata.type': _type, ...rest } = SEED_EXAMPLE_RESPONSE as Record<string, unknown>;
    void _type;
    verdict(validators.entity, rest, true);
    verdict(validators.entity, minimal, true);
  });

  test('an entity without an id, or with an empty one, is invalid', () => {
    const { id: _id, ...rest } = SEED_EXAMPLE_RESPONSE as Record<string, unknown>;
    void _id;
    verdict(validators.entity, rest, false);
    verdict(validators.entity, { ...minimal, id: '' }, false);
  });

  test('an entity with a member outside its enum is invalid', () => {
    verdict(validators.entity, { ...minimal, action: 'FactoryReset' }, false);
    verdict(validators.entity, { ...minimal, actionState: 1 }, false);
  });
});

test.describe('collection and error envelopes', () => {
  const e = SEED_EXAMPLE_RESPONSE;

  test('a collection with a value array of entities is valid', () => {
    verdict(validators.collection, { value: [] }, true);
    verdict(validators.collection, { '@odata.context': 'c', value: [e, e], '@odata.nextLink': 'https://graph.microsoft.com/beta/x?$skiptoken=2' }, true);
  });

  test('a collection without value, with a non-array value or with an entity lacking an id is invalid', () => {
    verdict(validators.collection, {}, false);
    verdict(validators.collection, { value: e }, false);
    verdict(validators.collection, { value: [{ deviceIMEI: 'x' }] }, false);
    verdict(validators.collection, [e], false);
  });

  test('a Graph error with code and message (innerError optional) is valid', () => {
    verdict(validators.error, { error: { code: 'BadRequest', message: 'm' } }, true);
    verdict(validators.error, { error: { code: 'BadRequest', message: '', innerError: { date: '2022-03-17T16:05:41', 'request-id': 'r', 'client-request-id': 'c' } } }, true);
  });

  test('an error without the error wrapper, a code or a message is invalid', () => {
    verdict(validators.error, { code: 'BadRequest', message: 'm' }, false);
    verdict(validators.error, { error: { message: 'm' } }, false);
    verdict(validators.error, { error: { code: 'BadRequest' } }, false);
    verdict(validators.error, { error: { code: '', message: 'm' } }, false);
    verdict(validators.error, { status: 400, title: 'Bad Request' }, false);
  });
});

test.describe('suite data', () => {
  const requirements = readJson('schemas/requirements.json') as { requirements: { id: string }[] };

  test('permissions.json validates against the permission matrix schema', () => {
    verdict(validators.permissionMatrix, readJson('schemas/permissions.json'), true);
  });

  test('requirements.json validates against the requirement catalogue schema', () => {
    verdict(validators.requirementCatalogue, readJson('schemas/requirements.json'), true);
  });

  test('requirement ids are unique', () => {
    const ids = requirements.requirements.map((r) => r.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  test('every case names a requirement in the catalogue', () => {
    const ids = new Set(requirements.requirements.map((r) => r.id));
    expect(loadCases('create-cases.json').map((c) => c.requirement).filter((r) => !ids.has(r))).toEqual([]);
  });
});

test.describe('negative cases are invalid against the create schema', () => {
  // Cases the schema cannot judge: a media type (the body is the valid seed example) and the sentinel
  // (a member by schema, refused by the write rules of GRAPH-FACTS §4).
  const NOT_SCHEMA_RULES = new Set(['RAA-CREATE-MEDIA-TYPE', 'RAA-ENUM-SENTINEL']);
  const cases = loadCases('create-cases.json').filter((c) => c.request.raw === undefined && !NOT_SCHEMA_RULES.has(c.requirement));

  test('the JSON cases are many', () => {
    expect(cases.length).toBeGreaterThan(70);
  });

  for (const c of cases) {
    test(`${c.description} (${c.requirement})`, () => {
      verdict(validators.createBody, caseBody(c), false);
    });
  }
});

test.describe('decide', () => {
  const rows: [Parameters<typeof decide>[0], Parameters<typeof decide>[1], string[], ReturnType<typeof decide>][] = [
    ['list', 'application', ['DeviceManagementManagedDevices.Read.All'], 'allowed'],
    ['list', 'application', ['DeviceManagementConfiguration.Read.All'], 'uncertain'],
    ['list', 'delegated-work', ['DeviceManagementConfiguration.ReadWrite.All'], 'uncertain'],
    ['get', 'delegated-work', ['DeviceManagementManagedDevices.Read.All'], 'allowed'],
    ['get', 'application', ['DeviceManagementConfiguration.Read.All'], 'denied'],
    ['create', 'application', ['DeviceManagementManagedDevices.Read.All'], 'denied'],
    ['create', 'application', ['DeviceManagementConfiguration.ReadWrite.All'], 'allowed'],
    ['create', 'delegated-work', ['DeviceManagementManagedDevices.ReadWrite.All'], 'allowed'],
    ['update', 'application', ['DeviceManagementConfiguration.ReadWrite.All'], 'allowed'],
    ['update', 'application', ['DeviceManagementManagedDevices.Read.All'], 'denied'],
    ['delete', 'application', ['DeviceManagementConfiguration.ReadWrite.All'], 'undocumented'],
    ['delete', 'application', ['DeviceManagementManagedDevices.ReadWrite.All'], 'allowed'],
    ['delete', 'delegated-work', ['DeviceManagementManagedDevices.Read.All'], 'denied'],
    ['create', 'delegated-personal', ['DeviceManagementManagedDevices.ReadWrite.All'], 'denied'],
    ['list', 'application', [], 'denied'],
    ['list', 'application', ['DeviceManagementConfiguration.Read.All', 'DeviceManagementManagedDevices.Read.All'], 'allowed'],
  ];
  for (const [op, type, held, expected] of rows) {
    test(`${op} by ${type} holding [${held.join(', ')}] is ${expected}`, () => {
      expect(decide(op, type, held)).toBe(expected);
    });
  }
});

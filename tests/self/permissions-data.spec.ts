// Microsoft's permissions data against the suite's permission matrix: the checked-in slice is what the published file
// says about the resource (a fixed point of the slicer, with provenance), the matrix agrees with it cell by cell except
// for the listed disagreements, and the comparison fails on a planted change to either side.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, permissionMatrix, type PermissionMatrix } from '../../src/contract';
import {
  compareWithMatrix, derivedMatrix, disagreementsBetween, grantsOf, loadDisagreements, loadSlice, sliceForResource, type PermissionsDocument,
} from '../../src/metadata/permissions';

const slice = loadSlice();
const listed = loadDisagreements();
const copy = <T>(v: T): T => structuredClone(v);

test('the slice is its own slice: only the resource\'s two paths, every other member as published', () => {
  expect(sliceForResource(slice)).toEqual(slice);
  const paths = new Set(Object.values(slice.permissions).flatMap((p) => p.pathSets.flatMap((s) => Object.keys(s.paths))));
  expect([...paths].sort()).toEqual(['/devicemanagement/remoteactionaudits', '/devicemanagement/remoteactionaudits/{id}']);
  const provenance = JSON.parse(readFileSync(join(ROOT, 'fixtures/permissions/remoteActionAudits.provenance.json'), 'utf8')) as { source: { repository: string; path: string; commit: string } };
  expect(provenance.source).toMatchObject({ repository: 'microsoftgraph/microsoft-graph-devx-content', path: 'permissions/new/permissions.json' });
  expect(provenance.source.commit).toMatch(/^[0-9a-f]{40}$/);
});

test('the data grants Read.All for list and get and ReadWrite.All for every operation, never to a personal account', () => {
  const d = derivedMatrix(slice);
  expect(d.list.application).toEqual(['DeviceManagementConfiguration.Read.All', 'DeviceManagementConfiguration.ReadWrite.All', 'DeviceManagementManagedDevices.Read.All', 'DeviceManagementManagedDevices.ReadWrite.All']);
  expect(d.get['delegated-work']).toEqual(d.list.application);
  for (const op of ['create', 'update', 'delete'] as const) expect(d[op].application, op).toEqual(['DeviceManagementConfiguration.ReadWrite.All', 'DeviceManagementManagedDevices.ReadWrite.All']);
  for (const op of ['list', 'get', 'create', 'update', 'delete'] as const) expect(d[op]['delegated-personal'], op).toEqual([]);
  // No method on the resource the suite has no operation for.
  expect(grantsOf(slice).filter((g) => !g.operation)).toEqual([]);
});

test('schemas/permissions.json agrees with the data cell by cell, except the listed disagreements', () => {
  expect(compareWithMatrix(derivedMatrix(slice), permissionMatrix, listed)).toEqual([]);
  // Each listed disagreement says which side the suite takes and why.
  for (const d of listed) expect(d.why.length, `${d.operation} ${d.principalType} ${d.permission}`).toBeGreaterThan(20);
  expect(disagreementsBetween(derivedMatrix(slice), permissionMatrix)).toHaveLength(listed.length);
});

test('a permission taken from Delete in the matrix is a difference no one listed', () => {
  const m = copy(permissionMatrix) as PermissionMatrix;
  const cell = m.operations.delete.application as { permissions: string[] };
  cell.permissions = cell.permissions.filter((p) => p !== 'DeviceManagementManagedDevices.ReadWrite.All');
  expect(compareWithMatrix(derivedMatrix(slice), m, listed)).toEqual([
    'delete application DeviceManagementManagedDevices.ReadWrite.All: the data grants it, the matrix has it nowhere, and fixtures/permissions/disagreements.json does not list it',
  ]);
});

test('a method taken from the data is a difference no one listed', () => {
  const data = copy(slice) as PermissionsDocument;
  const set = data.permissions['DeviceManagementManagedDevices.ReadWrite.All']!.pathSets.find((s) => s.methods.includes('PATCH'))!;
  set.methods = set.methods.filter((x) => x !== 'PATCH');
  const problems = compareWithMatrix(derivedMatrix(data), permissionMatrix, listed);
  expect(problems).toEqual([
    'update delegated-work DeviceManagementManagedDevices.ReadWrite.All: the data does not grant it, the matrix has it in permissions, and fixtures/permissions/disagreements.json does not list it',
    'update application DeviceManagementManagedDevices.ReadWrite.All: the data does not grant it, the matrix has it in permissions, and fixtures/permissions/disagreements.json does not list it',
  ]);
});

test('a listed disagreement the data no longer has is stale', () => {
  const data = copy(slice) as PermissionsDocument;
  const set = data.permissions['DeviceManagementConfiguration.ReadWrite.All']!.pathSets.find((s) => s.methods.includes('DELETE'))!;
  set.methods = set.methods.filter((x) => x !== 'DELETE');
  expect(compareWithMatrix(derivedMatrix(data), permissionMatrix, listed)).toEqual([
    'delete application DeviceManagementConfiguration.ReadWrite.All: listed as a disagreement, but the data and the matrix agree on it',
    'delete delegated-work DeviceManagementConfiguration.ReadWrite.All: listed as a disagreement, but the data and the matrix agree on it',
  ]);
});

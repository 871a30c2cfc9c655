// The suite's view of the contract: everything schemas/contract.ts holds (validators, types, the permission
// matrix, the catalogue, the project's root), and the small readers of answers the suite and its tools share.
import { readFileSync } from 'node:fs';
import { ROOT, type CreateBody, type Entity } from '../schemas/contract';

export * from '../schemas/contract';

/** An entity's id as a string (json-server and the like hand out numbers); undefined when it has none usable. */
export function entityId(entity: unknown): string | undefined {
  const id = typeof entity === 'object' && entity !== null && !Array.isArray(entity) ? (entity as { id?: unknown }).id : undefined;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number') return String(id);
  return undefined;
}

/** The entries of a list answer's `value` array; none when it has no such array (whatever the target sent). */
export function listValue(json: unknown): unknown[] {
  const value = typeof json === 'object' && json !== null ? (json as { value?: unknown }).value : undefined;
  return Array.isArray(value) ? value : [];
}

/** The seed's example request body, verbatim. */
export const SEED_EXAMPLE_REQUEST: CreateBody = JSON.parse(readFileSync(`${ROOT}fixtures/seed-example-request.json`, 'utf8'));
export const SEED_EXAMPLE_RESPONSE: Entity = JSON.parse(readFileSync(`${ROOT}fixtures/seed-example-response.json`, 'utf8'));

// Authorisation: decided from the same permission matrix data the suite reads (schemas/permissions.json).
import { decide, permissionMatrix, type Operation } from '../schemas/contract';
import type { Caller } from './auth';
import type { Defects } from './defects';
import { forbidden, unauthenticated } from './errors';

export function authorize(op: Operation, caller: Caller, defects: Defects): void {
  if (caller.type === 'delegated-personal') {
    if (defects.has('personal-accounts-allowed')) return;
    throw forbidden('Personal Microsoft accounts are not supported for this API.');
  }
  const held = defects.has('listed-permission-refused')
    ? caller.permissions.filter((p) => p !== 'DeviceManagementConfiguration.ReadWrite.All')
    : caller.permissions;
  // Cells the sources disagree on: the reference server takes the permissive reading. A permission no source
  // lists for this operation is refused, unless the defect grants it as the neighbouring operations do.
  const decision = decide(op, caller.type, held);
  if (decision === 'allowed' || decision === 'uncertain') return;
  if (decision === 'undocumented' && defects.has('undocumented-permission-allowed')) return;
  if (defects.has('read-permission-can-write') && held.some((p) => p.endsWith('.Read.All'))) return;
  const needed = permissionMatrix.operations[op][caller.type].permissions.join(', ');
  const message = `Application is not authorized to perform this operation. Application must have one of the following scopes: ${needed}`;
  throw defects.has('denied-with-401') ? unauthenticated(message) : forbidden(message);
}

// The three enums of remoteActionAudit, as ordered data. Order and the sentinel's position matter:
// members after `unknownFutureValue` are evolvable (GRAPH-FACTS §3, §4).

/** The seed's remoteAction list, in document order (31 known members, the sentinel, then the tail up to `delete`). */
export const REMOTE_ACTION_SEED = [
  'unknown', 'factoryReset', 'removeCompanyData', 'resetPasscode', 'remoteLock', 'enableLostMode',
  'disableLostMode', 'locateDevice', 'rebootNow', 'recoverPasscode', 'cleanWindowsDevice',
  'logoutSharedAppleDeviceActiveUser', 'quickScan', 'fullScan', 'windowsDefenderUpdateSignatures',
  'factoryResetKeepEnrollmentData', 'updateDeviceAccount', 'automaticRedeployment', 'shutDown',
  'rotateBitLockerKeys', 'rotateFileVaultKey', 'getFileVaultKey', 'setDeviceName', 'activateDeviceEsim',
  'deprovision', 'disable', 'reenable', 'moveDeviceToOrganizationalUnit',
  'initiateMobileDeviceManagementKeyRecovery', 'initiateOnDemandProactiveRemediation',
  'rotateLocalAdminPassword', 'unknownFutureValue', 'launchRemoteHelp', 'revokeAppleVppLicenses',
  'removeDeviceFirmwareConfigurationInterfaceManagement', 'pauseConfigurationRefresh',
  'initiateDeviceAttestation', 'changeAssignments', 'delete',
] as const;

/** Tail members in today's CSDL (@a6d65b9f) that the seed does not list: tolerated, never required. */
export const REMOTE_ACTION_NEWER = [
  'suspendManagedHomeScreen', 'restoreManagedHomeScreen', 'triggerEnhancedLogCollection',
  'cancelEnhancedLogCollection',
] as const;

export const REMOTE_ACTION = [...REMOTE_ACTION_SEED, ...REMOTE_ACTION_NEWER] as const;

export const ACTION_STATE = ['none', 'pending', 'canceled', 'active', 'done', 'failed', 'notSupported'] as const;

export const DEVICE_ACTION_CATEGORY = ['single', 'bulk'] as const;

export const SENTINEL = 'unknownFutureValue';

export interface EnumInfo {
  readonly name: string;
  readonly members: readonly string[];
  /** Index of `unknownFutureValue`, or -1 when the enum is not evolvable. */
  readonly sentinelIndex: number;
  /** Members present in today's Graph but not in the seed. */
  readonly newerThanSeed: readonly string[];
}

function info(name: string, members: readonly string[], newer: readonly string[] = []): EnumInfo {
  return { name, members, sentinelIndex: members.indexOf(SENTINEL), newerThanSeed: newer };
}

export const ENUMS: Record<'remoteAction' | 'actionState' | 'deviceActionCategory', EnumInfo> = {
  remoteAction: info('remoteAction', REMOTE_ACTION, REMOTE_ACTION_NEWER),
  actionState: info('actionState', ACTION_STATE),
  deviceActionCategory: info('deviceActionCategory', DEVICE_ACTION_CATEGORY),
};

/** Which entity property holds which enum. */
export const ENUM_PROPERTIES = {
  action: ENUMS.remoteAction,
  actionState: ENUMS.actionState,
  deviceActionCategory: ENUMS.deviceActionCategory,
} as const;

/** True when `member` sits after the sentinel: it is only sent to clients that opt in with Prefer. */
export function isAfterSentinel(e: EnumInfo, member: string): boolean {
  const i = e.members.indexOf(member);
  return e.sentinelIndex >= 0 && i > e.sentinelIndex;
}

/** Members a client may always write: everything before the sentinel. */
export function knownMembers(e: EnumInfo): readonly string[] {
  return e.sentinelIndex < 0 ? e.members : e.members.slice(0, e.sentinelIndex);
}

/** Members after the sentinel (the evolvable tail). */
export function tailMembers(e: EnumInfo): readonly string[] {
  return e.sentinelIndex < 0 ? [] : e.members.slice(e.sentinelIndex + 1);
}

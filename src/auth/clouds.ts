// National clouds (GRAPH-FACTS §7). Graph root, Entra authority and `.default` scope differ per cloud;
// a token from one cloud is never valid against another cloud's Graph.

export type CloudId = 'global' | 'usgov-l4' | 'usgov-l5-dod' | 'china';

export interface CloudInfo {
  graphRoot: string;
  authority: string;
  scope: string;
  label: string;
}

export const CLOUDS: Record<CloudId, CloudInfo> = {
  global: {
    graphRoot: 'https://graph.microsoft.com',
    authority: 'https://login.microsoftonline.com',
    scope: 'https://graph.microsoft.com/.default',
    label: 'Global (commercial)',
  },
  'usgov-l4': {
    graphRoot: 'https://graph.microsoft.us',
    authority: 'https://login.microsoftonline.us',
    scope: 'https://graph.microsoft.us/.default',
    label: 'US Government L4 (GCC High)',
  },
  'usgov-l5-dod': {
    graphRoot: 'https://dod-graph.microsoft.us',
    authority: 'https://login.microsoftonline.us',
    scope: 'https://dod-graph.microsoft.us/.default',
    label: 'US Government L5 (DoD)',
  },
  china: {
    graphRoot: 'https://microsoftgraph.chinacloudapi.cn',
    authority: 'https://login.chinacloudapi.cn',
    scope: 'https://microsoftgraph.chinacloudapi.cn/.default',
    label: 'China (operated by 21Vianet)',
  },
};

export function betaRoot(cloud: CloudId): string {
  return `${CLOUDS[cloud].graphRoot}/beta`;
}

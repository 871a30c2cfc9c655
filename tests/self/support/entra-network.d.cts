import type { INetworkModule } from '@azure/msal-node';
export declare class LoopbackNetwork implements INetworkModule {
  constructor(origin: string);
  sendGetRequestAsync: INetworkModule['sendGetRequestAsync'];
  sendPostRequestAsync: INetworkModule['sendPostRequestAsync'];
}
/** This file's path, for NODE_OPTIONS=--require. */
export declare const preload: string;

/** This file's path, for NODE_OPTIONS=--require. */
export declare const preload: string;

// The reference server's one entry point: the rest of the project (the command line, the suite's tools, the
// bench) imports the server from here only, so what it offers outside is this list (ARCHITECTURE.md).
export { ReferenceServer, readBody, type ReferenceOptions } from './app';
export { NO_DEFECTS, SEED_CONTRACT, knownDefects, parseDefects, type Defects } from './defects';
export { NO_FAULTS, parseFaults, withFaults, type FaultSpec, type FaultStats } from './faults';
export { VARIANT_NAMES, parseVariants, withVariants, type VariantName, type Variants } from './variants';
export { GRAPH_AUDIENCE, PERSONAL_ACCOUNT_TENANT, REFERENCE_TENANT, TokenIssuer, type TokenRequest } from './tokens';
export { bundle, bundleServer, startServerGroup, startServerProcess, type ServerProcess } from './processes';

// Each layer on its own, for the bench's figure 2h (what a request costs, layer by layer).
export { JwtAuthenticator } from './auth';
export { RequestContext } from './context';
export { authorize } from './permissions';
export { contextUrl, represent } from './representation';
export { Store } from './store';
export { checkMediaType, parseJson, validateBody } from './validate';

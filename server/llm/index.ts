// The model router's public surface: agents use ModelRouter.structured; the API and the admin page
// use the registry functions (server/db/queries/llm.ts) and listEndpointModels.
export * from "./types.ts";
export { createModelRouter, listEndpointModels, parseStructured, jsonSchemaOf } from "./router.ts";
export type { ModelRouterHandle, ModelRouterOptions, ResilienceSettings, ResolvedModel, EndpointListing } from "./router.ts";
export { configuredEndpoints, normalizeEndpointUrl, isCloudProvider, ProviderError } from "./providers.ts";
export type { Endpoint, EndpointModel } from "./providers.ts";
export { loadDefaultRoutes, type DefaultRoutes } from "./defaults.ts";

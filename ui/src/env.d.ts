/// <reference types="vite/client" />

/** True in development and preview builds only (`vite.config.ts`); production builds cannot fake state. */
declare const __PRESENTLY_PREVIEW__: boolean;

/** The webhook settings, spread into the portal's config schema (see ../config.ts). */
export const webhookSettings = {};

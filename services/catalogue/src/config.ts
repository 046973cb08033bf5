import { commonSettings } from '@pinzhi/platform';
import { z } from 'zod';

export const catalogueConfigSchema = z.object({
  ...commonSettings,
  SERVICE_NAME: z.string().min(1).default('catalogue'),
  GRPC_PORT: commonSettings.GRPC_PORT.default(50051),
});

export type CatalogueConfig = z.infer<typeof catalogueConfigSchema>;

import { InvalidArgumentError, NotFoundError, PermissionDeniedError, type Caller } from '@pinzhi/platform';
import type { Activity } from './domain/records.js';
import type { CertificationBodyDocument } from './domain/records.js';
import type { CatalogueReader } from './reader.js';

/**
 * The certification body a caller acts for in an activity: an admin names one
 * (`certificationBodies/{credit_code}` in `field`); a certifier acts for its own body (its
 * token's CNAS number) and may name only that one. The body must be active and accredited for
 * the activity (and the category, when one is given).
 */
export async function actingBody(
  catalogue: Pick<CatalogueReader, 'certificationBody' | 'certificationBodyByCnas'>,
  caller: Caller,
  options: { activity: Activity; field: string; bodyId?: string | undefined; category?: string },
): Promise<CertificationBodyDocument> {
  const { activity, field, bodyId, category } = options;
  let body: CertificationBodyDocument | null;
  if (caller.role === 'admin') {
    if (!bodyId) {
      throw new InvalidArgumentError('an admin must name the certification body', [
        { field, description: `certificationBodies/{credit_code} of a body accredited for ${activity}`, reason: 'REQUIRED' },
      ]);
    }
    body = await catalogue.certificationBody(bodyId);
    if (!body) throw new NotFoundError(`certificationBodies/${bodyId} does not exist`);
  } else {
    body = await catalogue.certificationBodyByCnas(caller.org);
    if (!body) throw new PermissionDeniedError(`no certification body with CNAS number ${caller.org} is registered`);
    if (bodyId && bodyId !== body._id) throw new PermissionDeniedError('a certifier acts for its own body only');
  }
  if (!isAccredited(body, activity, category)) {
    throw new PermissionDeniedError(`${body.name} is not an active body accredited for ${activity}${category ? ` and ${category}` : ''}`);
  }
  return body;
}

export const isAccredited = (body: CertificationBodyDocument, activity: Activity, category?: string): boolean =>
  body.state === 'active' &&
  body.accreditedActivities.includes(activity) &&
  (category === undefined || (body.accreditedCategories as readonly string[]).includes(category));

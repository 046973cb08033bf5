/** GetServiceStatus: every service the kit starts reports its dependencies and consumers to an admin. */
import { status } from '@grpc/grpc-js';
import { DiagnosticsServiceService } from '@pinzhi/contracts/pinzhi/diagnostics/v1/diagnostics';
import { gradingService } from '@pinzhi/grading/testing';
import { createUnaryClient, type RunningService } from '@pinzhi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, dropDatabase, failure, startServiceForTest } from '../support/harness.js';

describe('GetServiceStatus', () => {
  let grading: (RunningService & { ns: { dbName: string; prefix: string } }) | undefined;
  let client: ReturnType<typeof createUnaryClient<typeof DiagnosticsServiceService>>;

  beforeAll(async () => {
    grading = await startServiceForTest(gradingService);
    client = createUnaryClient(DiagnosticsServiceService, grading!.address);
  });

  afterAll(async () => {
    client?.close();
    await grading?.stop();
    if (grading) await dropDatabase(grading.ns.dbName);
  });

  it('names each dependency with its state, each consumer group and whether it joined, and the outbox backlog', async () => {
    await grading!.consumersReady;
    const report = await client.getServiceStatus({}, await bearer('admin'));
    expect(report).toMatchObject({
      service: 'grading',
      servingStatus: 'SERVING',
      dependencies: [
        { name: 'mongodb', ok: true, critical: true, detail: '' },
        { name: 'kafka', ok: true, critical: false, detail: '' },
      ],
      outboxPending: 0,
    });
    expect(report.dependencies[0]!.checkTime).toBeInstanceOf(Date);
    expect(report.consumers.map((c) => [c.group.slice(grading!.ns.prefix.length), c.joined])).toEqual([
      ['grading-supervision', true],
      ['grading-product-withdrawals', true],
      ['grading-convergence', true],
    ]);
  });

  it('is for admins only', async () => {
    expect((await failure(client.getServiceStatus({}, await bearer('certifier', 'CNAS C951-P')))).code).toBe(status.PERMISSION_DENIED);
  });
});

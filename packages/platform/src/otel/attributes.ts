/** Every custom span attribute pinzhi sets; one prefix, one file (STYLE.md habit 9). */
export const spanAttributes = {
  callerRole: 'pinzhi.caller.role',
  callerOrg: 'pinzhi.caller.org',
  errorType: 'pinzhi.error.type',
  eventId: 'pinzhi.event.id',
  eventType: 'pinzhi.event.type',
  eventSubject: 'pinzhi.event.subject',
  outboxCollection: 'pinzhi.outbox.collection',
  consumerGroup: 'pinzhi.consumer.group',
  deadLettered: 'pinzhi.consumer.dead_lettered',
} as const;

// Queue names and their priority: manual work first, then planned (labels), then automatic rules.

export const queueNames = ['manual', 'planned', 'auto'] as const;
export type QueueName = (typeof queueNames)[number];

export const queuePriority = {
  manual: 0,
  planned: 1,
  auto: 2,
} as const satisfies Record<QueueName, number>;

export function isQueueName(value: string): value is QueueName {
  return (queueNames as readonly string[]).includes(value);
}

import { INestApplicationContext } from '@nestjs/common';
import { OutboxDeliveryService } from '../../src/payments-outbox/outbox-delivery.service';

/**
 * Sends every due outbox message one after another until none is left, through the same service calls as
 * the outbox worker (claimDue, deliver). For tests, whose apps run with workers disabled.
 */
export async function drainOutbox(app: INestApplicationContext): Promise<void> {
  const delivery = app.get(OutboxDeliveryService);
  for (;;) {
    const claimed = await delivery.claimDue(10);
    if (claimed.length === 0) return;
    for (const lease of claimed) await delivery.deliver(lease);
  }
}

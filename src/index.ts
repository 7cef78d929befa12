import { createApp } from './app';

export { ViewCounter } from './views/counter';
export { WebhookDelivery } from './webhooks/delivery';

const app = createApp();

export default app;

import { createApp } from './app';

export { ViewCounter } from './views/counter';

const app = createApp();

export default app;

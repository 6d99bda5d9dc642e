// The sample app backend: WeChat login for PipeChat and a publish hook with msgSecCheck.
// node server.js (settings from the environment, README.md).
import { createServer } from 'node:http';
import { configFromEnv, createHandler } from './lib/app.js';

const config = configFromEnv();
const server = createServer(createHandler(config));
server.listen(config.port, config.host, () => {
  const { address, port } = server.address();
  console.log(`app backend on http://${address}:${port} (POST /login, POST /hook; WeChat API ${config.wechatBase})`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

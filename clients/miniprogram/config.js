// Where the mini-program connects. WeChat requires wss:// to a domain registered as a
// "socket legal domain", on port 443 (no port in the URL). See README.md.
export const SERVER_URL = 'wss://chat.example.com';

// Developer tools only: with "do not verify legal domains" ticked you may point at a dev server,
// e.g. 'ws://192.168.1.20:3001'. Devices ignore that setting.
export const DEV_SERVER_URL = '';

// The app backend that turns a wx.login code into a PipeChat token (samples/app-backend: POST
// /login {code} → {token}). Register its domain as a "request legal domain" (request合法域名).
export const BACKEND_URL = 'https://api.example.com';

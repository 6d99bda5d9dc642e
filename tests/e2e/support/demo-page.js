// Steps on the web demo page (src/PipeChat.Server/wwwroot) shared by the browser tests.

/** Joins a room from the page's join box and waits for the page to say so. */
export async function joinRoom(page, room) {
  await page.fill('#join-room', room);
  await page.click('#join-go');
  await page.waitForSelector(`#messages .system:has-text("you joined #${room}")`);
}

/** Sends a text to the conversation on screen. */
export async function say(page, text) {
  await page.fill('#text', text);
  await page.click('#send');
}

/** Selector of a shown message's text. */
export const messageText = (text) => `#messages .msg .text:text-is("${text}")`;

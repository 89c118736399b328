/** berth's version (package.json's; a unit test keeps the two equal). Its own module, so `--version` loads nothing else. */
export const VERSION = '0.1.0';

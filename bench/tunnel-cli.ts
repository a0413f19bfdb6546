/** `kcp-web client|server …` from source, as its own process (the published bin runs the same main from dist/). */
import { main } from '../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));

/** Pages whose only script need: their server-written UTC times shown in the reader's zone. */
import { localizeTimes } from './lib/format.js';

localizeTimes();

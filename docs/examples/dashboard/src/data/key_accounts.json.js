import {emit} from "../../loaders/query.js";
await emit("key_accounts");

import {emit} from "../../loaders/query.js";
await emit("waterfall");

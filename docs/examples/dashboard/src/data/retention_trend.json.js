import {emit} from "../../loaders/query.js";
await emit("retention_trend");

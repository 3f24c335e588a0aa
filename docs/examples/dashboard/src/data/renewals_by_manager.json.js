import {emit} from "../../loaders/query.js";
await emit("renewals_by_manager");

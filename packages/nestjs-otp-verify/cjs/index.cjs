'use strict';
// The CommonJS entry point. Node 20.19+ loads an ES module with require(), so a CommonJS host
// gets the very module instance an ES module host imports: one copy of each class and token.
module.exports = require('../dist/index.js');

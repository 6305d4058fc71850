-- One database per service; no service reads another's tables.
CREATE DATABASE enrollment;
CREATE DATABASE settlement;
CREATE DATABASE remote_care;
CREATE DATABASE evoucher;

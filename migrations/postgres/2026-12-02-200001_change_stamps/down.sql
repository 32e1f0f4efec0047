DROP TRIGGER users_stamp ON users;
DROP TRIGGER holiday_years_stamp ON holiday_years;
DROP TRIGGER holidays_stamp ON holidays;
DROP FUNCTION raise_change_stamp();
DROP TABLE change_stamps;
